// Floors for book building: the same feed applied with the least machinery.
// Order ids are dense indexes and prices indexes into flat arrays, both
// renumbered before the clock starts, so there is no id lookup and no price
// search; there are no events and no checks.
//
// floor_orders keeps what an order book must (each order in a FIFO queue at
// its price, level totals, the best price on each side): the engine's
// BookBuilder minus its id hash, its sorted levels and its validation. It is
// "the floor" the benchmarks report the engine's ratio to. floor_levels keeps
// only level totals (a depth-only book), the least work there is.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/core/records.hpp"

namespace {

struct FlatBook {
    std::vector<std::int64_t> order_qty;
    std::vector<std::uint32_t> order_tick;
    std::vector<std::uint8_t> order_side;
    std::vector<std::int64_t> level_qty[2];
};

}  // namespace

// floor_levels: m[i].order_id and m[i].new_order_id are dense indexes below n_ids; tick(p) =
// (p - min_price) / tick_units, below n_ticks. Returns a checksum of the final
// level sizes (so nothing is optimised away).
extern "C" std::int64_t floor_levels(const engine::FeedMessage* m, std::size_t n, std::size_t n_ids,
                                    std::int64_t min_price, std::int64_t tick_units, std::size_t n_ticks) {
    FlatBook b;
    b.order_qty.assign(n_ids, 0);
    b.order_tick.assign(n_ids, 0);
    b.order_side.assign(n_ids, 0);
    b.level_qty[0].assign(n_ticks, 0);
    b.level_qty[1].assign(n_ticks, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const engine::FeedMessage& x = m[i];
        const std::size_t id = static_cast<std::size_t>(x.order_id);
        switch (static_cast<engine::FeedKind>(x.kind)) {
            case engine::FeedKind::Add: {
                const auto tick = static_cast<std::uint32_t>((x.price - min_price) / tick_units);
                const std::uint8_t side = x.side == 1 ? 0 : 1;
                b.order_qty[id] = x.quantity;
                b.order_tick[id] = tick;
                b.order_side[id] = side;
                b.level_qty[side][tick] += x.quantity;
                break;
            }
            case engine::FeedKind::Cancel:
            case engine::FeedKind::Execute:
            case engine::FeedKind::ExecuteAtPrice: {
                const std::int64_t take = x.quantity < b.order_qty[id] ? x.quantity : b.order_qty[id];
                b.order_qty[id] -= take;
                b.level_qty[b.order_side[id]][b.order_tick[id]] -= take;
                break;
            }
            case engine::FeedKind::Delete:
                b.level_qty[b.order_side[id]][b.order_tick[id]] -= b.order_qty[id];
                b.order_qty[id] = 0;
                break;
            case engine::FeedKind::Replace: {
                const std::size_t to = static_cast<std::size_t>(x.new_order_id);
                const std::uint8_t side = b.order_side[id];
                b.level_qty[side][b.order_tick[id]] -= b.order_qty[id];
                b.order_qty[id] = 0;
                const auto tick = static_cast<std::uint32_t>((x.price - min_price) / tick_units);
                b.order_qty[to] = x.quantity;
                b.order_tick[to] = tick;
                b.order_side[to] = side;
                b.level_qty[side][tick] += x.quantity;
                break;
            }
            default:
                break;
        }
    }
    std::int64_t sum = 0;
    for (const auto& side : b.level_qty)
        for (std::size_t t = 0; t < n_ticks; ++t) sum += side[t] * static_cast<std::int64_t>(t + 1);
    return sum;
}

namespace {

constexpr std::uint32_t kNone = 0xFFFFFFFFu;

struct Queue {
    std::uint32_t head = kNone, tail = kNone;
    std::int64_t total = 0;
};

struct OrderBook {
    std::vector<std::int64_t> qty;
    std::vector<std::uint32_t> tick, prev, next;
    std::vector<std::uint8_t> side;
    std::vector<Queue> levels[2];  // by tick; side 0 = bids
    std::int64_t best[2] = {-1, -1};

    void push(std::uint32_t id, std::uint8_t s, std::uint32_t t, std::int64_t q) {
        qty[id] = q;
        tick[id] = t;
        side[id] = s;
        Queue& l = levels[s][t];
        prev[id] = l.tail;
        next[id] = kNone;
        if (l.tail != kNone) next[l.tail] = id; else l.head = id;
        l.tail = id;
        l.total += q;
        if (s == 0 ? static_cast<std::int64_t>(t) > best[0] || best[0] < 0
                   : static_cast<std::int64_t>(t) < best[1] || best[1] < 0)
            best[s] = t;
    }
    void unlink(std::uint32_t id) {
        Queue& l = levels[side[id]][tick[id]];
        if (prev[id] != kNone) next[prev[id]] = next[id]; else l.head = next[id];
        if (next[id] != kNone) prev[next[id]] = prev[id]; else l.tail = prev[id];
        l.total -= qty[id];
        qty[id] = 0;
        if (l.head == kNone && best[side[id]] == static_cast<std::int64_t>(tick[id])) {
            const std::uint8_t s = side[id];
            std::int64_t t = best[s];  // the next level with interest
            const std::int64_t step = s == 0 ? -1 : 1, end = s == 0 ? -1 : static_cast<std::int64_t>(levels[s].size());
            while (t != end && levels[s][static_cast<std::size_t>(t)].head == kNone) t += step;
            best[s] = t == end ? -1 : t;
        }
    }
};

}  // namespace

// floor_orders: as floor_levels, with each order queued at its price.
extern "C" std::int64_t floor_orders(const engine::FeedMessage* m, std::size_t n, std::size_t n_ids,
                                     std::int64_t min_price, std::int64_t tick_units, std::size_t n_ticks) {
    OrderBook b;
    b.qty.assign(n_ids, 0);
    b.tick.assign(n_ids, 0);
    b.prev.assign(n_ids, kNone);
    b.next.assign(n_ids, kNone);
    b.side.assign(n_ids, 0);
    b.levels[0].assign(n_ticks, Queue{});
    b.levels[1].assign(n_ticks, Queue{});
    for (std::size_t i = 0; i < n; ++i) {
        const engine::FeedMessage& x = m[i];
        const auto id = static_cast<std::uint32_t>(x.order_id);
        switch (static_cast<engine::FeedKind>(x.kind)) {
            case engine::FeedKind::Add:
                b.push(id, x.side == 1 ? 0 : 1, static_cast<std::uint32_t>((x.price - min_price) / tick_units),
                       x.quantity);
                break;
            case engine::FeedKind::Cancel:
            case engine::FeedKind::Execute:
            case engine::FeedKind::ExecuteAtPrice:
                if (x.quantity >= b.qty[id]) {
                    b.unlink(id);
                } else {
                    b.qty[id] -= x.quantity;
                    b.levels[b.side[id]][b.tick[id]].total -= x.quantity;
                }
                break;
            case engine::FeedKind::Delete:
                b.unlink(id);
                break;
            case engine::FeedKind::Replace: {
                const std::uint8_t s = b.side[id];
                b.unlink(id);
                b.push(static_cast<std::uint32_t>(x.new_order_id), s,
                       static_cast<std::uint32_t>((x.price - min_price) / tick_units), x.quantity);
                break;
            }
            default:
                break;
        }
    }
    std::int64_t sum = b.best[0] * 31 + b.best[1];
    for (const auto& side : b.levels)
        for (std::size_t t = 0; t < n_ticks; ++t) sum += side[t].total * static_cast<std::int64_t>(t + 1);
    return sum;
}
