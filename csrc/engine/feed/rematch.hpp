// Re-matching historical flow through the engine's own matching.
//
// The flow's new orders become limit DAY orders, its cancels and deletes
// cancel them, its replaces replace them. A venue feed never shows the
// incoming orders that executed on arrival, only the executions against
// resting orders, so each execution becomes an inferred IOC order on the other
// side, at the execution price and size: the engine then decides what it
// executes against (with the Rule 611 check, if the book has a protected-quote
// table). Quote updates, if given, are applied in time order between messages.
// The book's events say what the engine did; the stats say what history did.
//
// The target is a Book or anything with the same commands (a Reg NMS Venue):
// one that also takes quote updates (update_quotes) gets them.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "../core/book.hpp"
#include "../core/order_index.hpp"
#include "../core/records.hpp"

namespace engine {

struct RematchStats {
    std::uint64_t messages = 0;
    std::uint64_t orders = 0;            // new orders sent to the engine
    std::uint64_t cancels = 0;           // partial cancels sent (LOBSTER 2, ITCH X), as book building counts them
    std::uint64_t deletes = 0;           // deletes sent (LOBSTER 3, ITCH D)
    std::uint64_t replaces = 0;
    std::uint64_t inferred_takers = 0;   // executions turned into incoming IOC orders
    std::uint64_t history_executions = 0;
    std::uint64_t history_shares = 0;
    std::uint64_t gone_in_engine = 0;    // a cancel/delete/replace for an order the engine no longer had
    std::uint64_t unknown_orders = 0;    // an execution or replace naming an order never added
    std::uint64_t skipped = 0;           // hidden executions, crosses, halts, system messages
    std::uint64_t quotes = 0;            // quote updates applied
};

// Ids given to the inferred incoming orders, upward from here (above any id a
// feed uses, so the caller can tell them apart in the events).
inline constexpr OrderId kFirstInferredId = OrderId{1} << 62;

template <class Target>
class Rematcher {
public:
    static constexpr bool kTakesQuotes = requires(Target& t, const QuoteUpdate* q) { t.update_quotes(q, 1); };

    explicit Rematcher(Target& book) : book_(book) {}

    // Apply `n` messages, and the quotes (sorted by ts) due before each.
    // Each message and quote is copied before it is looked at (the caller's
    // arrays may change under the call, from another thread).
    void apply(const FeedMessage* m, std::size_t n, const QuoteUpdate* quotes, std::size_t nq) {
        std::size_t q = 0;
        for (std::size_t i = 0; i < n; ++i) {
            FeedMessage msg;
            std::memcpy(&msg, m + i, sizeof msg);
            asm volatile("" : : "r"(&msg) : "memory");
            while (q < nq && quotes[q].ts <= msg.ts) apply_quote(quotes + q++);
            apply_one(msg);
        }
        while (q < nq) apply_quote(quotes + q++);  // quotes after the last message
    }

    const RematchStats& stats() const noexcept { return stats_; }

private:
    void apply_quote(const QuoteUpdate* q) {
        if constexpr (kTakesQuotes) {
            book_.update_quotes(q, 1);
            ++stats_.quotes;
        }
    }

    bool contains(OrderId id) const noexcept {
        if constexpr (requires { book_.book(); }) return book_.book().contains(id);
        else return book_.contains(id);
    }

    struct History {
        Side side;
        Price price;
    };

    void remember(OrderId id, Side side, Price price) {
        const std::uint32_t slot = index_.find(id);
        if (slot != OrderIndex::kNotFound) {
            history_[slot] = History{side, price};
            return;
        }
        index_.insert(id, static_cast<std::uint32_t>(history_.size()));
        history_.push_back(History{side, price});
    }

    const History* recall(OrderId id) const noexcept {
        const std::uint32_t slot = index_.find(id);
        return slot == OrderIndex::kNotFound ? nullptr : &history_[slot];
    }

    void submit_limit(Timestamp ts, OrderId id, Side side, Price price, Quantity qty, TimeInForce tif) {
        Command c{};
        c.ts = ts;
        c.order_id = id;
        c.side = static_cast<std::uint8_t>(side);
        c.price = price;
        c.quantity = qty;
        c.order_type = static_cast<std::uint8_t>(OrderType::Limit);
        c.tif = static_cast<std::uint8_t>(tif);
        book_.submit(c);
    }

    Timestamp clock(Timestamp ts) noexcept {
        if (ts > last_) last_ = ts;
        return last_;  // a venue's own messages may tie or step back by rounding: keep time monotonic
    }

    void apply_one(const FeedMessage& m) {
        ++stats_.messages;
        const Timestamp ts = clock(m.ts);
        switch (static_cast<FeedKind>(m.kind)) {
            case FeedKind::Add:
                remember(m.order_id, static_cast<Side>(m.side), m.price);
                submit_limit(ts, m.order_id, static_cast<Side>(m.side), m.price, m.quantity, TimeInForce::Day);
                ++stats_.orders;
                return;
            case FeedKind::Cancel:
            case FeedKind::Delete: {
                OrderView v{};
                if (!book_.find_order(m.order_id, &v)) {
                    ++stats_.gone_in_engine;
                    return;
                }
                const bool whole = static_cast<FeedKind>(m.kind) == FeedKind::Delete || m.quantity >= v.leaves;
                if (whole) book_.cancel(ts, m.order_id);
                else book_.reduce(ts, m.order_id, m.quantity);
                ++(static_cast<FeedKind>(m.kind) == FeedKind::Delete ? stats_.deletes : stats_.cancels);
                return;
            }
            case FeedKind::Replace: {
                const History* h = recall(m.order_id);
                if (!h) {
                    ++stats_.unknown_orders;
                    return;
                }
                const Side side = h->side;
                remember(m.new_order_id, side, m.price);
                if (contains(m.order_id)) {
                    book_.replace(ts, m.order_id, m.new_order_id, m.price, m.quantity);
                } else {
                    ++stats_.gone_in_engine;  // enter the new order anyway: history shows it resting
                    submit_limit(ts, m.new_order_id, side, m.price, m.quantity, TimeInForce::Day);
                }
                ++stats_.replaces;
                return;
            }
            case FeedKind::Execute:
            case FeedKind::ExecuteAtPrice: {
                ++stats_.history_executions;
                stats_.history_shares += static_cast<std::uint64_t>(m.quantity);
                const History* h = recall(m.order_id);
                Side resting = static_cast<Side>(m.side);
                Price price = m.price;
                if (h) {
                    resting = h->side;
                    if (price == 0) price = h->price;
                } else if (!m.side || m.price == 0) {
                    ++stats_.unknown_orders;
                    return;
                }
                submit_limit(ts, next_taker_++, opposite(resting), price, m.quantity, TimeInForce::Ioc);
                ++stats_.inferred_takers;
                return;
            }
            default:
                ++stats_.skipped;
                return;
        }
    }

    Target& book_;
    OrderIndex index_;
    std::vector<History> history_;
    RematchStats stats_;
    Timestamp last_ = 0;
    OrderId next_taker_ = kFirstInferredId;
};

}  // namespace engine
