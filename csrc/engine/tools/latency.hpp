// Latency of each operation, measured inside the core with a steady clock.
//
// Runs a schedule of commands and quote updates through a book one at a time
// and records the latency and the kind of each operation (a new order that
// rested, one that executed, a cancel, a replace, a quote update, ...); the
// caller computes percentiles from the samples. Two ways: closed loop (each
// call timed on its own) and open loop (operations offered at a fixed rate,
// latency counted from the offered time, queueing included).
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

// What a command just did, from the events it emitted after `before`.
inline LatencyOp classify(const EventBuffer& ev, std::size_t before, const Command& c) noexcept {
    // A command may emit nothing (an expiry with nothing resting): Other.
    if (ev.size() == before) return LatencyOp::Other;
    if (ev[before].type == static_cast<std::uint8_t>(EventType::Rejected)) return LatencyOp::Rejected;
    switch (static_cast<Action>(c.action)) {
        case Action::New:
            for (std::size_t k = before; k < ev.size(); ++k)
                if (ev[k].type == static_cast<std::uint8_t>(EventType::Fill)) return LatencyOp::Marketable;
            return LatencyOp::Resting;
        case Action::Cancel: return LatencyOp::Cancel;
        case Action::Replace: return LatencyOp::Replace;
        case Action::Reduce: return LatencyOp::Reduce;
        default: return LatencyOp::Other;
    }
}

template <class Target>
EventBuffer& events_of(Target& book) noexcept {
    if constexpr (requires { book.book(); }) return book.book().events();
    else return book.events();
}

// One scheduled operation: schedule entry s < 0 is quote update -s-1, else
// command s. Returns its kind; the caller reads the clock around it.
template <class Target>
[[gnu::always_inline]] inline LatencyOp run_scheduled(Target& book, const Command* commands,
                                                      const QuoteUpdate* quotes, std::int64_t s,
                                                      std::chrono::steady_clock::time_point* done) {
    EventBuffer& ev = events_of(book);
    if (s < 0) {
        const QuoteUpdate q = quotes[-s - 1];  // a copy: the caller's array may change under the call
        if constexpr (requires { book.update_quote(q); }) book.update_quote(q);
        *done = std::chrono::steady_clock::now();
        return LatencyOp::Quote;
    }
    const Command c = commands[s];
    const std::size_t before = ev.size();
    book.execute(c);
    *done = std::chrono::steady_clock::now();
    return classify(ev, before, c);
}

inline std::uint32_t clamp_ns(std::int64_t d) noexcept {
    return static_cast<std::uint32_t>(d < 0 ? 0 : (d > UINT32_MAX ? UINT32_MAX : d));
}

// Closed loop: each operation timed on its own, the next started when it ends.
// schedule[i] < 0: quote update number -schedule[i]-1; else command number
// schedule[i]. The target is a Book, or a Venue (which also takes the quotes).
template <class Target>
void measure_latency(Target& book, const Command* commands, const QuoteUpdate* quotes, const std::int64_t* schedule,
                     std::size_t n, std::uint32_t* ns, std::uint8_t* kind) {
    using clock = std::chrono::steady_clock;
    EventBuffer& ev = events_of(book);
    for (std::size_t i = 0; i < n; ++i) {
        const auto t0 = clock::now();
        clock::time_point t1;
        kind[i] = static_cast<std::uint8_t>(run_scheduled(book, commands, quotes, schedule[i], &t1));
        ns[i] = clamp_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        if (ev.size() > 4096) ev.clear();  // outside the timed region
    }
}

// Open loop: operation i is offered at t0 + i * period_ns whether or not the
// ones before it are done, and its latency runs from that offered time to its
// completion, so time spent queued behind a slow operation is counted (no
// coordinated omission). An operation starts at its offered time or when the
// one before it ends, whichever is later.
template <class Target>
void measure_open_loop(Target& book, const Command* commands, const QuoteUpdate* quotes, const std::int64_t* schedule,
                       std::size_t n, double period_ns, std::uint32_t* ns, std::uint8_t* kind) {
    using clock = std::chrono::steady_clock;
    EventBuffer& ev = events_of(book);
    const auto t0 = clock::now();
    for (std::size_t i = 0; i < n; ++i) {
        const auto offered = t0 + std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(i) * period_ns));
        while (clock::now() < offered) {
        }
        clock::time_point done;
        kind[i] = static_cast<std::uint8_t>(run_scheduled(book, commands, quotes, schedule[i], &done));
        ns[i] = clamp_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(done - offered).count());
        if (ev.size() > 4096) ev.clear();  // counted: a real caller takes its events too
    }
}

}  // namespace engine
