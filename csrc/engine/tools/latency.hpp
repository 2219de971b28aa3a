// Latency of each operation, measured inside the core with a steady clock.
//
// Runs a schedule of commands and quote updates through a book one at a time,
// timing each call on its own, and records the time and the kind of each
// operation (a new order that rested, one that executed, a cancel, a replace,
// a quote update, ...). The caller computes percentiles from the samples.
// Pending events are discarded between calls, outside the timed region.
#pragma once

#include <chrono>
#include <cstdint>

#include "../core/book.hpp"
#include "../core/records.hpp"

namespace engine {

enum class LatencyOp : std::uint8_t {
    Resting = 0,     // a new order that executed nothing
    Marketable = 1,  // a new order that executed (one fill or more)
    Rejected = 2,    // a command the book refused
    Cancel = 3,
    Replace = 4,
    Reduce = 5,
    Quote = 6,       // a protected-quote update
    Other = 7,
};

// The cost of reading the clock twice, back to back: subtract it, or quote it.
inline std::int64_t clock_overhead_ns(int samples = 10'000) {
    using clock = std::chrono::steady_clock;
    std::int64_t best = INT64_MAX;
    for (int i = 0; i < samples; ++i) {
        const auto a = clock::now();
        const auto b = clock::now();
        const std::int64_t d = std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
        if (d < best) best = d;
    }
    return best;
}

// schedule[i] < 0: quote update number -schedule[i]-1; else command number
// schedule[i]. The target is a Book, or a Venue (which also takes the quotes).
template <class Target>
void measure_latency(Target& book, const Command* commands, const QuoteUpdate* quotes, const std::int64_t* schedule,
                     std::size_t n, std::uint32_t* ns, std::uint8_t* kind) {
    using clock = std::chrono::steady_clock;
    EventBuffer& ev = [&]() -> EventBuffer& {
        if constexpr (requires { book.book(); }) return book.book().events();
        else return book.events();
    }();
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t s = schedule[i];
        std::size_t before = ev.size();
        std::int64_t d;
        if (s < 0) {
            const QuoteUpdate q = quotes[-s - 1];  // a copy: the caller's array may change under the call
            const auto t0 = clock::now();
            if constexpr (requires { book.update_quote(q); }) book.update_quote(q);
            const auto t1 = clock::now();
            d = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
            kind[i] = static_cast<std::uint8_t>(LatencyOp::Quote);
        } else {
            const Command c = commands[s];
            const auto t0 = clock::now();
            book.execute(c);
            const auto t1 = clock::now();
            d = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
            LatencyOp op = LatencyOp::Other;
            // A command may emit nothing (an expiry with nothing resting): Other.
            if (ev.size() == before) {
                op = LatencyOp::Other;
            } else if (ev[before].type == static_cast<std::uint8_t>(EventType::Rejected)) {
                op = LatencyOp::Rejected;
            } else {
                switch (static_cast<Action>(c.action)) {
                    case Action::New: {
                        op = LatencyOp::Resting;
                        for (std::size_t k = before; k < ev.size(); ++k)
                            if (ev[k].type == static_cast<std::uint8_t>(EventType::Fill)) { op = LatencyOp::Marketable; break; }
                        break;
                    }
                    case Action::Cancel: op = LatencyOp::Cancel; break;
                    case Action::Replace: op = LatencyOp::Replace; break;
                    case Action::Reduce: op = LatencyOp::Reduce; break;
                    default: break;
                }
            }
            kind[i] = static_cast<std::uint8_t>(op);
        }
        ns[i] = static_cast<std::uint32_t>(d < 0 ? 0 : (d > UINT32_MAX ? UINT32_MAX : d));
        if (ev.size() > 4096) ev.clear();  // outside the timed region
    }
}

}  // namespace engine
