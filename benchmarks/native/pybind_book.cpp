// The engine's Book bound with pybind11, for one benchmark only: the same
// positional add and cancel as the product's Cython skin (engine/_core_book.pxi),
// so the suite can report what each binding costs per call. The product binds
// with Cython because this measured about 3.5x cheaper per call; this module
// keeps that claim checked. Not part of the product.
#include <pybind11/pybind11.h>

#include "engine/engine.hpp"

namespace py = pybind11;

namespace {

struct PyBook {
    engine::Book book;

    std::size_t add(std::uint64_t id, int side, std::int64_t price, std::int64_t quantity) {
        engine::Command c{};
        c.order_id = id;
        c.side = static_cast<std::uint8_t>(side);
        c.price = price;
        c.quantity = quantity;
        c.order_type = static_cast<std::uint8_t>(engine::OrderType::Limit);
        c.tif = static_cast<std::uint8_t>(engine::TimeInForce::Day);
        c.ts = book.last_timestamp() > 0 ? book.last_timestamp() : 0;
        const std::size_t before = book.events().size();
        book.submit(c);
        return book.events().size() - before;
    }

    std::size_t cancel(std::uint64_t id) {
        const std::size_t before = book.events().size();
        book.cancel(book.last_timestamp() > 0 ? book.last_timestamp() : 0, id);
        return book.events().size() - before;
    }

    void clear_events() { book.events().clear(); }
    std::size_t size() const { return book.order_count(); }
};

}  // namespace

PYBIND11_MODULE(engine_pybind_book, m) {
    py::class_<PyBook>(m, "Book")
        .def(py::init<>())
        .def("add", &PyBook::add)
        .def("cancel", &PyBook::cancel)
        .def("clear_events", &PyBook::clear_events)
        .def("__len__", &PyBook::size);
}
