// The resting orders of one symbol and what can be asked of them: the order
// pool, the id index, both sides' price ladders, the clock, the queries, and
// the structural changes a matching book, a feed handler or a compliance
// layer makes (rest an order at a placement, move it, shrink it, take it
// out). No events and no matching: those are the Book's (book.hpp); a
// feed-handler book (feed/feed_book.hpp) applies a venue's own messages here.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "order_index.hpp"
#include "order_pool.hpp"
#include "price.hpp"
#include "price_ladder.hpp"
#include "records.hpp"
#include "types.hpp"

namespace engine {

constexpr Side opposite(Side s) noexcept { return s == Side::Buy ? Side::Sell : Side::Buy; }

// True when an order on `side` limited at `limit` can trade at `contra_price`.
constexpr bool crosses(Side side, Price limit, Price contra_price) noexcept {
    return side == Side::Buy ? limit >= contra_price : limit <= contra_price;
}

// One tick less aggressive than p for this side (0 when there is none).
constexpr Price less_aggressive(Side side, Price p, TickRegime r) noexcept {
    const Price q = side == Side::Buy ? prev_valid(p, r) : next_valid(p, r);
    return (q <= 0 || q > kMaxPrice) ? 0 : q;
}

// Where a resting order ranks and how it displays. A compliance layer may rank
// an order away from its limit (re-priced), show it one tick less aggressive
// than it ranks (display offset), or keep an eye on it at its limit (watched).
struct Placement {
    Price rank;
    bool display_offset = false;  // displayed one tick less aggressive than rank
    bool repriced = false;        // ranked away from its limit
    bool watched = false;         // at its limit, looked at again when the layer's conditions change
};

// What a new resting order keeps of its arrival.
struct RestingAttributes {
    Quantity display_quantity = 0;  // reserve order's display size (0: all displayed)
    PostOnly post_only = PostOnly::None;
    LockCrossMode lock_cross = LockCrossMode::Default;
};

class BookState {
    friend struct SnapshotAccess;  // snapshot.hpp saves and restores the whole state

public:
    explicit BookState(TickRegime regime = TickRegime::Penny2005) : regime_(regime) {}
    BookState(const BookState&) = delete;
    BookState& operator=(const BookState&) = delete;
    BookState(BookState&&) = default;  // a loaded book handed to the Venue that owns it

    TickRegime tick_regime() const noexcept { return regime_; }
    Timestamp last_timestamp() const noexcept { return last_ts_; }

    // ---------------------------------------------------------------- queries
    std::size_t order_count() const noexcept { return index_.size(); }
    std::size_t level_count(Side s) const noexcept { return ladder(s).level_count(); }
    bool contains(OrderId id) const noexcept { return index_.contains(id); }
    std::uint32_t find_slot(OrderId id) const noexcept { return index_.find(id); }
    const Order& order(std::uint32_t slot) const noexcept { return pool_[slot]; }

    // Best displayed level of a side; false when the side shows nothing. Read
    // straight off the best level when it shows shares at its own price (no
    // worse level can show at that price); otherwise as depth's first entry.
    bool best(Side s, LevelView* out) const noexcept {
        const PriceLadder& l = ladder(s);
        if (l.empty()) return false;
        const Level& lv = l.level(l.best_level());
        if (lv.displayed_qty != 0) [[likely]] {
            *out = LevelView{lv.price, static_cast<Quantity>(lv.displayed_qty), lv.displayed_orders, 0};
            return true;
        }
        return depth(s, out, 1) == 1;
    }

    // Up to n displayed levels of a side, best first, by displayed price (an
    // order displayed away from its rank counts at the price it shows). Levels
    // holding only non-displayed interest are not shown.
    std::size_t depth(Side s, LevelView* out, std::size_t n) const noexcept {
        const PriceLadder& l = ladder(s);
        std::size_t k = 0;
        auto add = [&](Price p, std::uint64_t q, std::uint32_t orders) {
            if (q == 0) return true;
            if (k > 0 && out[k - 1].price == p) {
                out[k - 1].quantity += static_cast<Quantity>(q);
                out[k - 1].orders += orders;
                return true;
            }
            if (k == n) return false;
            out[k++] = LevelView{p, static_cast<Quantity>(q), orders, 0};
            return true;
        };
        l.for_each_level([&](std::uint32_t ls) {
            const Level& lv = l.level(ls);
            if (!add(lv.price, lv.displayed_qty, lv.displayed_orders)) return false;
            return !lv.offset_qty || add(less_aggressive(s, lv.price, regime_), lv.offset_qty, lv.offset_orders);
        });
        return k;
    }

    // Best price a side is ranked at, hidden interest included; 0 when empty.
    Price best_ranked_price(Side s) const noexcept {
        const PriceLadder& l = ladder(s);
        return l.empty() ? 0 : l.best_price();
    }

    // Displayed shares at a price (0 when no level).
    Quantity displayed_at(Side side, Price price) const noexcept {
        const PriceLadder& l = ladder(side);
        const std::uint32_t ls = l.find(price);
        return ls == kNil ? 0 : static_cast<Quantity>(l.level(ls).displayed_qty);
    }

    bool find_order(OrderId id, OrderView* out) const noexcept {
        const std::uint32_t slot = index_.find(id);
        if (slot == OrderIndex::kNotFound) return false;
        *out = view(slot);
        return true;
    }

    // Every resting order's slot, in priority order: bids best first, then
    // offers best first; inside a level displayed orders before non-displayed
    // ones, each queue front to back. `f(slot)` returns false to stop.
    template <class F>
    void for_each_resting(F&& f) const {
        bool go = true;
        for (const PriceLadder* l : {&bids_, &asks_}) {
            l->for_each_level([&](std::uint32_t ls) {
                const Level& lv = l->level(ls);
                for (std::uint32_t head : {lv.display_head, lv.hidden_head})
                    for (std::uint32_t s = head; s != kNil; s = pool_[s].next)
                        if (!(go = f(s))) return false;
                return true;
            });
            if (!go) return;
        }
    }

    // Every resting order in priority order (see for_each_resting).
    std::size_t snapshot(OrderView* out, std::size_t capacity) const noexcept {
        std::size_t k = 0;
        for_each_resting([&](std::uint32_t s) {
            if (k == capacity) return false;
            out[k++] = view(s);
            return true;
        });
        return k;
    }

    // The price an order shows: one tick less aggressive than it ranks when it
    // has a display offset; 0 for a non-displayed order.
    Price display_price(const Order& o) const noexcept {
        if (o.hidden()) return 0;
        return o.display_offset() ? less_aggressive(o.side, o.price, regime_) : o.price;
    }

    // An order as queries report it; its limit is its rank (a compliance layer
    // that ranks orders away from their limits reports theirs).
    OrderView view(std::uint32_t slot) const noexcept {
        const Order& o = pool_[slot];
        OrderView v{};
        v.order_id = o.id;
        v.ts = o.ts;
        v.price = o.price;
        v.display_price = display_price(o);
        v.limit_price = o.price;
        v.leaves = o.leaves();
        v.displayed = o.hidden() ? 0 : o.shown;
        v.reserve = o.reserve;
        v.filled = static_cast<Quantity>(o.filled);
        v.display_quantity = o.peak;
        v.participant = o.participant;
        v.flags = o.flags & kOrderInstructionBits;
        v.side = static_cast<std::uint8_t>(o.side);
        v.tif = static_cast<std::uint8_t>(o.tif);
        v.stp = static_cast<std::uint8_t>(o.stp());
        v.post_only = static_cast<std::uint8_t>(o.post_only());
        v.lock_cross = static_cast<std::uint8_t>(o.lock_mode());
        v.repriced = o.repriced() ? 1 : 0;
        return v;
    }

    // Bytes held by the structures (the object itself included).
    std::size_t memory_bytes() const noexcept {
        return sizeof(BookState) + pool_.capacity() * sizeof(Order) + index_.capacity() * 16 + bids_.memory_bytes() +
               asks_.memory_bytes();
    }

    // Full consistency check, for tests and fuzzing: nullptr when the book is
    // sound, or a description of the first broken invariant. `managed`: a
    // layer above may have re-priced or watched orders (flags a plain book never sets).
    const char* check_integrity(bool managed = false) const {
        std::size_t seen = 0;
        for (const PriceLadder* l : {&bids_, &asks_}) {
            if (const char* why = l->check()) return why;
            const char* why = nullptr;
            Price prev = 0;
            l->for_each_level([&](std::uint32_t ls) {
                return (why = check_level(*l, ls, prev, managed, &seen)) == nullptr;
            });
            if (why) return why;
        }
        if (seen != index_.size()) return "id index and book disagree";
        if (const char* why = index_.check()) return why;
        if (!bids_.empty() && !asks_.empty() && bids_.best_price() >= asks_.best_price())
            return "book crossed or locked against itself";
        return nullptr;
    }

    // One level of check_integrity: its place in price order, its queues, its
    // orders and its totals.
    const char* check_level(const PriceLadder& ladder, std::uint32_t ls, Price& prev, bool managed,
                            std::size_t* seen) const {
        const Level& lv = ladder.level(ls);
        if (prev != 0 && !(ladder.side() == Side::Buy ? lv.price < prev : lv.price > prev))
            return "levels out of order";
        prev = lv.price;
        if (lv.empty()) return "empty level kept";
        std::uint64_t shown = 0, offset = 0, total = 0;
        std::uint32_t shown_n = 0, offset_n = 0, total_n = 0;
        for (int q = 0; q < 2; ++q) {
            std::uint32_t last = kNil;
            for (std::uint32_t s = q ? lv.hidden_head : lv.display_head; s != kNil; s = pool_[s].next) {
                const Order& o = pool_[s];
                if (o.prev != last) return "broken queue link";
                if (o.level != ls || o.price != lv.price) return "order in the wrong level";
                if (o.hidden() != (q == 1)) return "order in the wrong queue";
                if (o.side != ladder.side()) return "order on the wrong side";
                if (const char* why = check_order(o, managed)) return why;
                if (index_.find(o.id) != s) return "order not findable by id";
                total += o.leaves();
                ++total_n;
                if (!o.hidden() && o.display_offset()) { offset += o.shown; ++offset_n; }
                else if (!o.hidden()) { shown += o.shown; ++shown_n; }
                last = s;
                ++*seen;
            }
            if ((q ? lv.hidden_tail : lv.display_tail) != last) return "broken queue tail";
        }
        if (shown != lv.displayed_qty || total != lv.total_qty || shown_n != lv.displayed_orders ||
            total_n != lv.total_orders || offset != lv.offset_qty || offset_n != lv.offset_orders)
            return "level totals disagree with its orders";
        return nullptr;
    }

    // What must hold of every resting order on its own (check_integrity, and
    // snapshot loading, which must never build a book that loops or wraps).
    const char* check_order(const Order& o, bool managed) const noexcept {
        if (o.id == 0) return "an order with id 0";
        if (o.side != Side::Buy && o.side != Side::Sell) return "an order with no side";
        if (o.tif != TimeInForce::Day && o.tif != TimeInForce::Gtc) return "a resting order that is not DAY or GTC";
        if ((o.flags & ~kOrderKnownBits) != 0) return "an order with unknown flag bits";
        if (static_cast<unsigned>(o.stp()) > 4) return "an order with an unknown self-trade mode";
        if (static_cast<unsigned>(o.post_only()) > 2) return "an order with an unknown post-only mode";
        if (!is_valid_price(o.price, regime_)) return "order ranked off the grid";
        if (o.shown == 0) return "resting order with nothing displayed";
        if (o.shown > kMaxQuantity || o.reserve > kMaxQuantity || o.peak > kMaxQuantity ||
            o.leaves() > kMaxQuantity)
            return "an order larger than the largest order";
        if (o.reserve > 0 && o.peak == 0) return "a reserve order with no display size";
        if (o.peak > 0 && o.shown > o.peak) return "a reserve order showing more than its display size";
        if (o.hidden() && (o.reserve || o.peak || o.display_offset())) return "hidden order with a display";
        if ((o.tracked() || o.display_offset()) && !managed)
            return "a re-priced order in a book with no layer to manage it";
        if (o.display_offset() && !o.repriced()) return "an order displayed away from its rank but not re-priced";
        if (o.watched() && (o.repriced() || o.display_offset())) return "a watched order that is also re-priced";
        return nullptr;
    }

    // ------------------------------------------------- structural changes
    // Advance the clock (it never goes back).
    void set_clock(Timestamp ts) noexcept { last_ts_ = ts; }

    // Make room for one more order, one more index entry and a level per
    // side now, so that placing an order cannot fail on memory.
    [[gnu::always_inline]] void make_room_for_an_order() {
        pool_.make_room_for_one();
        index_.make_room_for_one();
        bids_.make_room_for_one();
        asks_.make_room_for_one();
    }

    // Rest a new order at a placement, at the back of its level's queue.
    [[gnu::always_inline]] std::uint32_t rest(OrderId id, Timestamp ts, Side side, TimeInForce tif, std::uint32_t shown,
                       std::uint32_t reserve, std::uint32_t peak, std::uint64_t filled, std::uint32_t participant,
                       std::uint16_t flags, const Placement& pl) {
        const std::uint32_t slot = pool_.allocate();
        Order& o = pool_[slot];
        o.id = id;
        o.price = pl.rank;
        o.ts = ts;
        o.peak = peak;
        o.shown = shown;
        o.reserve = reserve;
        o.filled = filled;
        o.participant = participant;
        o.side = side;
        o.tif = tif;
        o.flags = static_cast<std::uint16_t>(flags | placement_bits(pl));
        PriceLadder& own = ladder(side);
        own.push_back(pool_, slot, own.find_or_add(pl.rank));
        index_.insert(id, slot);
        return slot;
    }

    // Re-rank a resting order at a placement: by its time priority at the new
    // price (keep_priority), or at the back with a new time `ts`.
    void move(std::uint32_t slot, const Placement& pl, bool keep_priority, Timestamp ts) {
        Order& o = pool_[slot];
        PriceLadder& l = ladder(o.side);
        l.unlink(pool_, slot);
        if (l.level(o.level).empty()) l.remove_level(o.level);
        o.price = pl.rank;
        set_placement_bits(o, pl);
        const std::uint32_t ls = l.find_or_add(pl.rank);
        if (keep_priority) {
            l.insert_by_time(pool_, slot, ls);
        } else {
            o.ts = ts;
            l.push_back(pool_, slot, ls);
        }
    }

    // Change only how a resting order is managed (it stays where it ranks).
    void set_placement_bits(Order& o, const Placement& pl) noexcept {
        o.flags = static_cast<std::uint16_t>((o.flags & ~kPlacementBits) | placement_bits(pl));
    }
    void set_placement_bits(std::uint32_t slot, const Placement& pl) noexcept { set_placement_bits(pool_[slot], pl); }

    // Take an order out of the book, its index and the pool. Inside matching
    // the level being walked must stay allocated, so the caller removes it (keep_level).
    void detach(std::uint32_t slot, bool keep_level = false) {
        Order& o = pool_[slot];
        PriceLadder& l = ladder(o.side);
        l.unlink(pool_, slot);
        if (!keep_level && l.level(o.level).empty()) l.remove_level(o.level);
        index_.erase(o.id);
        pool_.release(slot);
    }

    // Take `cut` (< leaves) shares off a resting order, reserve first.
    void shrink(std::uint32_t slot, std::uint32_t cut) noexcept {
        Order& o = pool_[slot];
        const std::uint32_t from_reserve = std::min(cut, o.reserve);
        const std::uint32_t from_shown = cut - from_reserve;
        o.reserve -= from_reserve;
        o.shown -= from_shown;
        ladder(o.side).adjust(o, -static_cast<std::int64_t>(from_shown), -static_cast<std::int64_t>(cut));
    }

    // Give a resting order another id (its slot and priority stay).
    void rename(std::uint32_t slot, OrderId from, OrderId to) {
        index_.erase(from);
        index_.insert(to, slot);
        pool_[slot].id = to;
    }

    PriceLadder& ladder(Side s) noexcept { return s == Side::Buy ? bids_ : asks_; }
    const PriceLadder& ladder(Side s) const noexcept { return s == Side::Buy ? bids_ : asks_; }
    Order& order_mut(std::uint32_t slot) noexcept { return pool_[slot]; }
    OrderPool& pool() noexcept { return pool_; }
    const OrderIndex& index() const noexcept { return index_; }

    // Start loading what a later message about `id` will touch: first its
    // id-index slot, then (once that is in cache) the order itself.
    void prefetch_index(OrderId id) const noexcept { index_.prefetch(id); }
    void prefetch_order(OrderId id) const noexcept {
        const std::uint32_t slot = index_.find(id);
        if (slot != OrderIndex::kNotFound) __builtin_prefetch(&pool_[slot]);
    }

protected:
    static constexpr auto kPlacementBits =
        static_cast<std::uint16_t>(kOrderDisplayOffset | kOrderRepriced | kOrderWatched);
    static std::uint16_t placement_bits(const Placement& pl) noexcept {
        return static_cast<std::uint16_t>((pl.display_offset ? kOrderDisplayOffset : 0) |
                                          (pl.repriced ? kOrderRepriced : 0) | (pl.watched ? kOrderWatched : 0));
    }

    TickRegime regime_;
    PriceLadder bids_{Side::Buy};
    PriceLadder asks_{Side::Sell};
    OrderPool pool_;
    OrderIndex index_;
    Timestamp last_ts_ = std::numeric_limits<Timestamp>::min();
};

}  // namespace engine
