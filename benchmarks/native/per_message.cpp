// The engine driven one message at a time from C++, as a venue embedding it
// would: Book::execute per command, events taken (cleared) every 4,096
// commands, the book first reserved for `reserve` orders (0: not reserved).
// Returns nanoseconds per command.
#include <chrono>
#include <cstddef>

#include "engine/engine.hpp"

extern "C" double engine_per_message(const engine::Command* commands, std::size_t n, int regime,
                                     std::size_t reserve) {
    engine::Book book(static_cast<engine::TickRegime>(regime));
    if (reserve) book.reserve(reserve);
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) {
        book.execute(commands[i]);
        if ((i & 4095) == 4095) book.events().clear();
    }
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n);
}
