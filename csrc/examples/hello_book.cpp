// The core used from C++ alone: two orders cross, and the events are printed.
// Build: g++ -std=c++20 -O2 -I csrc csrc/examples/hello_book.cpp -o hello_book
#include <cstdio>

#include "engine/engine.hpp"

int main() {
    using namespace engine;
    Book book;
    Command sell{};
    sell.ts = 1;
    sell.order_id = 1;
    sell.price = 100500;  // $10.05
    sell.quantity = 300;
    sell.side = static_cast<std::uint8_t>(Side::Sell);
    sell.order_type = static_cast<std::uint8_t>(OrderType::Limit);
    sell.tif = static_cast<std::uint8_t>(TimeInForce::Day);
    book.submit(sell);

    Command buy = sell;
    buy.ts = 2;
    buy.order_id = 2;
    buy.quantity = 100;
    buy.side = static_cast<std::uint8_t>(Side::Buy);
    book.submit(buy);

    for (std::size_t i = 0; i < book.events().size(); ++i) {
        const Event& e = book.events()[i];
        std::printf("seq=%llu type=%u order=%llu contra=%llu price=%lld qty=%lld leaves=%lld\n",
                    static_cast<unsigned long long>(e.seq), e.type,
                    static_cast<unsigned long long>(e.order_id),
                    static_cast<unsigned long long>(e.contra_id), static_cast<long long>(e.price),
                    static_cast<long long>(e.quantity), static_cast<long long>(e.leaves));
    }
    LevelView ask{};
    const bool has_ask = book.best(Side::Sell, &ask);
    std::printf("best ask: %lld x %lld (%s)\n", static_cast<long long>(ask.price),
                static_cast<long long>(ask.quantity), has_ask ? "shown" : "none");
    return book.check_integrity() == nullptr ? 0 : 1;
}
