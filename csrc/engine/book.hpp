// A limit order book for one symbol: price / display / time priority matching.
//
// Every operation appends what happened to the book's EventBuffer; a refused
// command appends one Rejected event and leaves the book exactly as it was.
// There is no Reg NMS knowledge here: the protected-quote check wraps this.
//
// Hot-path rules kept here: no allocation per order in steady state (pools and
// flat arrays that only grow), no virtual calls, no exceptions (except
// std::bad_alloc when memory runs out), O(1) lookup by order id.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "event_buffer.hpp"
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

class Book {
public:
    explicit Book(TickRegime regime = TickRegime::Penny2005) : regime_(regime) {}
    Book(const Book&) = delete;
    Book& operator=(const Book&) = delete;

    TickRegime tick_regime() const noexcept { return regime_; }

    // Pre-size for `orders` resting orders and as many pending events, and
    // touch that memory, so that a venue's hot path never grows a structure or
    // takes a page fault (call at start-up).
    void reserve(std::size_t orders) {
        pool_.reserve(orders);
        index_.reserve(orders);
        events_.prefault(orders);
    }

    // ---------------------------------------------------------------- commands
    void execute(const Command& c) {
        switch (static_cast<Action>(c.action)) {
            case Action::New: submit(c); return;
            case Action::Cancel: cancel(c.ts, c.order_id); return;
            case Action::Replace: replace(c.ts, c.order_id, c.new_order_id, c.price, c.quantity); return;
            case Action::Reduce: reduce(c.ts, c.order_id, c.quantity); return;
            case Action::Expire: expire(c.ts, static_cast<TimeInForce>(c.tif)); return;
        }
        reject(c.ts, c.order_id, c.side, c.price, c.quantity, Reason::InvalidAction);
    }

    void execute_batch(const Command* commands, std::size_t n) {
        events_.reserve_more(n * 2);
        for (std::size_t i = 0; i < n; ++i) execute(commands[i]);
    }

    // A new order (Command::action is not looked at).
    void submit(const Command& c) {
        const Reason invalid = validate_new(c);
        if (invalid != Reason::None) {
            reject(c.ts, c.order_id, c.side, c.price, c.quantity, invalid);
            return;
        }
        const Side side = static_cast<Side>(c.side);
        const bool market = static_cast<OrderType>(c.order_type) == OrderType::Market;
        const PostOnly post_only = static_cast<PostOnly>(c.post_only);
        PriceLadder& contra = ladder(opposite(side));

        if (market && contra.empty()) {
            reject(c.ts, c.order_id, c.side, c.price, c.quantity, Reason::NoLiquidity);
            return;
        }
        Price rest_price = c.price;
        if (post_only != PostOnly::None) {
            const Reason r = post_only_price(side, post_only, c.price, &rest_price);
            if (r != Reason::None) {
                reject(c.ts, c.order_id, c.side, c.price, c.quantity, r);
                return;
            }
        }

        last_ts_ = c.ts;  // only commands that are not rejected move the clock
        Event& acc = emit(EventType::Accepted, c.ts, c.order_id, side);
        acc.price = c.price;
        acc.quantity = acc.leaves = c.quantity;

        Taker t{};
        t.id = c.order_id;
        t.ts = c.ts;
        t.side = side;
        t.market = market;
        t.limit = c.price;
        t.remaining = static_cast<std::uint32_t>(c.quantity);
        t.participant = c.participant;
        t.stp = static_cast<StpMode>(c.stp);
        t.hidden = (c.flags & kFlagHidden) != 0;

        if (rest_price != c.price) {
            Event& rp = emit(EventType::Repriced, c.ts, c.order_id, side);
            rp.price = rest_price;
            rp.leaves = c.quantity;
            rp.reason = static_cast<std::uint16_t>(Reason::PostOnlyRepriced);
        } else if (post_only == PostOnly::None) {
            const auto tif = static_cast<TimeInForce>(c.tif);
            if (tif == TimeInForce::Fok && !fok_fillable(t)) {
                cancel_taker(t, Reason::FokNotFillable);
                return;
            }
            match(t);
        }
        finish_taker(t, static_cast<TimeInForce>(c.tif), rest_price, c);
    }

    void cancel(Timestamp ts, OrderId id) {
        if (ts < last_ts_) return reject(ts, id, 0, 0, 0, Reason::TimestampRegression);
        const std::uint32_t slot = index_.find(id);
        if (slot == OrderIndex::kNotFound) return reject(ts, id, 0, 0, 0, Reason::UnknownOrderId);
        last_ts_ = ts;
        remove_resting(slot, ts, EventType::Cancelled, Reason::UserCancel);
    }

    // Cancel `quantity` shares of a resting order, keeping its time priority.
    // The reserve is reduced first, so the displayed size changes last.
    void reduce(Timestamp ts, OrderId id, Quantity quantity) {
        if (ts < last_ts_) return reject(ts, id, 0, 0, quantity, Reason::TimestampRegression);
        const std::uint32_t slot = index_.find(id);
        if (slot == OrderIndex::kNotFound) return reject(ts, id, 0, 0, quantity, Reason::UnknownOrderId);
        const Order& o = pool_[slot];
        if (quantity <= 0) return reject(ts, id, sidev(o), o.price, quantity, Reason::InvalidQuantity);
        if (quantity > o.leaves())
            return reject(ts, id, sidev(o), o.price, quantity, Reason::QuantityExceedsLeaves);
        last_ts_ = ts;
        if (quantity == o.leaves()) {
            remove_resting(slot, ts, EventType::Cancelled, Reason::UserCancel);
            return;
        }
        shrink_resting(slot, static_cast<std::uint32_t>(quantity));
        Event& e = emit(EventType::Reduced, ts, id, o.side);
        e.price = o.price;
        e.quantity = quantity;
        e.leaves = o.leaves();
        e.reason = static_cast<std::uint16_t>(Reason::UserCancel);
        e.flags = kEventPriorityKept;
    }

    // Change a resting order's price and/or size (and optionally its id).
    // `quantity` is the new total left to execute. The order keeps its time
    // priority when the price is unchanged and the size does not grow;
    // otherwise it is re-entered with the new time and may execute at once.
    void replace(Timestamp ts, OrderId id, OrderId new_id, Price price, Quantity quantity) {
        if (ts < last_ts_) return reject(ts, id, 0, price, quantity, Reason::TimestampRegression);
        const std::uint32_t slot = index_.find(id);
        if (slot == OrderIndex::kNotFound) return reject(ts, id, 0, price, quantity, Reason::UnknownOrderId);
        const Order& o = pool_[slot];
        const std::uint8_t sv = sidev(o);
        if (new_id == 0) new_id = id;
        if (new_id != id && index_.contains(new_id))
            return reject(ts, id, sv, price, quantity, Reason::DuplicateOrderId);
        Reason r = validate_quantity(quantity);
        if (r == Reason::None) r = validate_limit_price(price);
        if (r != Reason::None) return reject(ts, id, sv, price, quantity, r);

        const bool keep_priority = price == o.price && quantity <= o.leaves();
        Price rest_price = price;
        if (!keep_priority && o.post_only != PostOnly::None) {
            r = post_only_price(o.side, o.post_only, price, &rest_price);
            if (r != Reason::None) return reject(ts, id, sv, price, quantity, r);
        }
        last_ts_ = ts;

        if (keep_priority) {
            const std::uint32_t cut = o.leaves() - static_cast<std::uint32_t>(quantity);
            if (cut) shrink_resting(slot, cut);
            if (new_id != id) {
                index_.erase(id);
                index_.insert(new_id, slot);
                pool_[slot].id = new_id;
            }
            emit_replaced(ts, id, new_id, o.side, price, quantity, kEventPriorityKept);
            return;
        }

        // Re-enter: take the order out, keeping its attributes, and run it again.
        const Order old = o;
        ladder(old.side).unlink(pool_, slot);
        drop_level_if_empty(old.side, old.level);
        index_.erase(id);
        pool_.release(slot);
        emit_replaced(ts, id, new_id, old.side, price, quantity, 0);

        Taker t{};
        t.id = new_id;
        t.ts = ts;
        t.side = old.side;
        t.limit = price;
        t.remaining = static_cast<std::uint32_t>(quantity);
        t.filled = old.filled;
        t.participant = old.participant;
        t.stp = old.stp;
        t.hidden = old.hidden();
        if (rest_price != price) {
            Event& rp = emit(EventType::Repriced, ts, new_id, old.side);
            rp.price = rest_price;
            rp.leaves = quantity;
            rp.reason = static_cast<std::uint16_t>(Reason::PostOnlyRepriced);
        } else if (old.post_only == PostOnly::None) {
            match(t);
        }
        Command attrs{};
        attrs.display_quantity = old.peak;
        attrs.participant = old.participant;
        attrs.stp = static_cast<std::uint8_t>(old.stp);
        attrs.post_only = static_cast<std::uint8_t>(old.post_only);
        attrs.flags = old.flags;
        finish_taker(t, old.tif, rest_price, attrs);
    }

    // Expire every resting order whose time in force is `tif` (DAY at the end
    // of the day; GTC when a venue clears its book), in priority order.
    void expire(Timestamp ts, TimeInForce tif) {
        if (ts < last_ts_) return reject(ts, 0, 0, 0, 0, Reason::TimestampRegression);
        if (tif != TimeInForce::Day && tif != TimeInForce::Gtc)
            return reject(ts, 0, 0, 0, 0, Reason::InvalidTimeInForce);
        last_ts_ = ts;
        scratch_.clear();
        for (const PriceLadder* l : {&bids_, &asks_}) {
            for (std::size_t r = 0; r < l->level_count(); ++r) {
                const Level& lv = l->level(l->level_at_rank(r));
                for (std::uint32_t head : {lv.display_head, lv.hidden_head})
                    for (std::uint32_t s = head; s != kNil; s = pool_[s].next)
                        if (pool_[s].tif == tif) scratch_.push_back(s);
            }
        }
        for (std::uint32_t s : scratch_) remove_resting(s, ts, EventType::Expired, Reason::EndOfDay);
    }

    // ----------------------------------------------------------------- events
    EventBuffer& events() noexcept { return events_; }
    const EventBuffer& events() const noexcept { return events_; }
    std::uint64_t last_sequence() const noexcept { return seq_; }
    Timestamp last_timestamp() const noexcept { return last_ts_; }

    // ---------------------------------------------------------------- queries
    std::size_t order_count() const noexcept { return index_.size(); }
    std::size_t level_count(Side s) const noexcept { return ladder(s).level_count(); }
    bool contains(OrderId id) const noexcept { return index_.contains(id); }

    // Best displayed level of a side; false when the side shows nothing.
    bool best(Side s, LevelView* out) const noexcept { return depth(s, out, 1) == 1; }

    // Up to n displayed levels of a side, best first. Levels holding only
    // non-displayed interest are not shown.
    std::size_t depth(Side s, LevelView* out, std::size_t n) const noexcept {
        const PriceLadder& l = ladder(s);
        std::size_t k = 0;
        for (std::size_t r = 0; r < l.level_count() && k < n; ++r) {
            const Level& lv = l.level(l.level_at_rank(r));
            if (lv.displayed_qty == 0) continue;
            out[k++] = LevelView{lv.price, static_cast<Quantity>(lv.displayed_qty), lv.displayed_orders, 0};
        }
        return k;
    }

    // Best ranked price of a side, hidden interest included; 0 when empty.
    Price best_ranked_price(Side s) const noexcept {
        const PriceLadder& l = ladder(s);
        return l.empty() ? 0 : l.best_price();
    }

    bool find_order(OrderId id, OrderView* out) const noexcept {
        const std::uint32_t slot = index_.find(id);
        if (slot == OrderIndex::kNotFound) return false;
        *out = view(pool_[slot]);
        return true;
    }

    // Every resting order in priority order: bids best first, then offers best
    // first; inside a level displayed orders before non-displayed ones.
    std::size_t snapshot(OrderView* out, std::size_t capacity) const noexcept {
        std::size_t k = 0;
        for (const PriceLadder* l : {&bids_, &asks_}) {
            for (std::size_t r = 0; r < l->level_count(); ++r) {
                const Level& lv = l->level(l->level_at_rank(r));
                for (std::uint32_t head : {lv.display_head, lv.hidden_head})
                    for (std::uint32_t s = head; s != kNil && k < capacity; s = pool_[s].next)
                        out[k++] = view(pool_[s]);
            }
        }
        return k;
    }

    // Bytes held by the book's own structures (not the pending events).
    std::size_t memory_bytes() const noexcept {
        return sizeof(Book) + pool_.capacity() * sizeof(Order) + index_.capacity() * 16 +
               bids_.memory_bytes() + asks_.memory_bytes() + scratch_.capacity() * 4;
    }

    // Full consistency check, for tests and fuzzing: returns nullptr when the
    // book is sound, or a description of the first broken invariant.
    const char* check_integrity() const {
        std::size_t seen = 0;
        for (const PriceLadder* l : {&bids_, &asks_}) {
            Price prev = 0;
            for (std::size_t r = 0; r < l->level_count(); ++r) {
                const std::uint32_t ls = l->level_at_rank(r);
                const Level& lv = l->level(ls);
                if (r > 0 && !(l->side() == Side::Buy ? lv.price < prev : lv.price > prev))
                    return "levels out of order";
                prev = lv.price;
                if (lv.empty()) return "empty level kept";
                std::uint64_t shown = 0, total = 0;
                std::uint32_t shown_n = 0, total_n = 0;
                for (int q = 0; q < 2; ++q) {
                    std::uint32_t last = kNil;
                    for (std::uint32_t s = q ? lv.hidden_head : lv.display_head; s != kNil; s = pool_[s].next) {
                        const Order& o = pool_[s];
                        if (o.prev != last) return "broken queue link";
                        if (o.level != ls || o.price != lv.price) return "order in the wrong level";
                        if (o.hidden() != (q == 1)) return "order in the wrong queue";
                        if (o.side != l->side()) return "order on the wrong side";
                        if (o.shown == 0) return "resting order with nothing displayed";
                        if (o.hidden() && o.reserve) return "hidden order with a reserve";
                        if (index_.find(o.id) != s) return "order not findable by id";
                        if (!is_valid_price(o.price, regime_)) return "order ranked off the grid";
                        total += o.leaves();
                        ++total_n;
                        if (!o.hidden()) { shown += o.shown; ++shown_n; }
                        last = s;
                        ++seen;
                    }
                    if ((q ? lv.hidden_tail : lv.display_tail) != last) return "broken queue tail";
                }
                if (shown != lv.displayed_qty || total != lv.total_qty || shown_n != lv.displayed_orders ||
                    total_n != lv.total_orders)
                    return "level totals disagree with its orders";
            }
        }
        if (seen != index_.size()) return "id index and book disagree";
        if (!bids_.empty() && !asks_.empty() && bids_.best_price() >= asks_.best_price())
            return "book crossed or locked against itself";
        return nullptr;
    }

private:
    // The incoming side of a match.
    struct Taker {
        OrderId id;
        Timestamp ts;
        Price limit;
        std::uint32_t remaining;
        std::uint32_t filled;
        std::uint32_t participant;
        Side side;
        StpMode stp;
        bool market;
        bool hidden;
        bool stopped;  // cancelled by self-trade prevention
    };

    PriceLadder& ladder(Side s) noexcept { return s == Side::Buy ? bids_ : asks_; }
    const PriceLadder& ladder(Side s) const noexcept { return s == Side::Buy ? bids_ : asks_; }
    static std::uint8_t sidev(const Order& o) noexcept { return static_cast<std::uint8_t>(o.side); }

    // ------------------------------------------------------------ validation
    static Reason validate_quantity(Quantity q) noexcept {
        if (q <= 0) return Reason::InvalidQuantity;
        if (q > kMaxQuantity) return Reason::QuantityOutOfRange;
        return Reason::None;
    }

    Reason validate_limit_price(Price p) const noexcept {
        if (p <= 0) return Reason::InvalidPrice;
        if (p > kMaxPrice) return Reason::PriceOutOfRange;
        if (!is_on_grid(p, regime_)) return Reason::PriceNotOnTick;
        return Reason::None;
    }

    Reason validate_new(const Command& c) const noexcept {
        if (c.ts < last_ts_) return Reason::TimestampRegression;
        if (c.order_id == 0) return Reason::InvalidOrderId;
        if (index_.contains(c.order_id)) return Reason::DuplicateOrderId;
        if (c.side != 1 && c.side != 2) return Reason::InvalidSide;
        if (c.order_type != 1 && c.order_type != 2) return Reason::InvalidOrderType;
        const bool market = static_cast<OrderType>(c.order_type) == OrderType::Market;
        const auto tif = static_cast<TimeInForce>(c.tif);
        if (c.tif < 1 || c.tif > 4) return Reason::InvalidTimeInForce;
        if (market && (tif == TimeInForce::Day || tif == TimeInForce::Gtc)) return Reason::InvalidTimeInForce;
        if (Reason r = validate_quantity(c.quantity); r != Reason::None) return r;
        if (market) {
            if (c.price != 0) return Reason::InvalidPrice;
        } else if (Reason r = validate_limit_price(c.price); r != Reason::None) {
            return r;
        }
        if (c.display_quantity < 0 || c.display_quantity > c.quantity) return Reason::InvalidDisplayQuantity;
        if (c.post_only > 2) return Reason::InvalidPostOnly;
        if (c.stp > 4) return Reason::InvalidStpMode;
        if ((c.flags & ~kKnownOrderFlags) != 0 || c.reserved != 0) return Reason::InvalidFlags;
        const bool hidden = (c.flags & kFlagHidden) != 0;
        const bool post_only = c.post_only != 0;
        const bool immediate = tif == TimeInForce::Ioc || tif == TimeInForce::Fok;
        if (post_only && (market || immediate)) return Reason::IncompatibleInstructions;
        if (c.display_quantity > 0 && (hidden || market)) return Reason::IncompatibleInstructions;
        if (hidden && market) return Reason::IncompatibleInstructions;
        return Reason::None;
    }

    // Where a post-only order may rest without removing liquidity. Re-pricing
    // looks at the best contra *ranked* price, hidden interest included, so a
    // post-only order never executes and the book never locks.
    Reason post_only_price(Side side, PostOnly mode, Price limit, Price* rest) const noexcept {
        const PriceLadder& contra = ladder(opposite(side));
        *rest = limit;
        if (contra.empty() || !crosses(side, limit, contra.best_price())) return Reason::None;
        if (mode == PostOnly::Reject) return Reason::PostOnlyWouldRemove;
        const Price p = side == Side::Buy ? prev_valid(contra.best_price(), regime_)
                                          : next_valid(contra.best_price(), regime_);
        if (p <= 0 || p > kMaxPrice) return Reason::PostOnlyWouldRemove;
        *rest = p;
        return Reason::None;
    }

    bool self_match(const Taker& t, const Order& m) const noexcept {
        return t.stp != StpMode::None && t.participant != 0 && m.participant == t.participant;
    }

    // Can a FOK order fill completely right now? With self-trade prevention
    // on, meeting one's own order at any level the FOK needs makes it not
    // fillable (only CancelOldest clears such orders out of the way).
    bool fok_fillable(const Taker& t) const noexcept {
        const PriceLadder& contra = ladder(opposite(t.side));
        std::uint64_t need = t.remaining;
        const bool stp = t.stp != StpMode::None && t.participant != 0;
        for (std::size_t r = 0; r < contra.level_count(); ++r) {
            const Level& lv = contra.level(contra.level_at_rank(r));
            if (!t.market && !crosses(t.side, t.limit, lv.price)) break;
            std::uint64_t available = lv.total_qty;
            if (stp) {
                for (std::uint32_t head : {lv.display_head, lv.hidden_head}) {
                    for (std::uint32_t s = head; s != kNil; s = pool_[s].next) {
                        if (pool_[s].participant != t.participant) continue;
                        if (t.stp != StpMode::CancelOldest) return false;
                        available -= pool_[s].leaves();
                    }
                }
            }
            if (available >= need) return true;
            need -= available;
        }
        return false;
    }

    // ---------------------------------------------------------------- matching
    void match(Taker& t) {
        PriceLadder& contra = ladder(opposite(t.side));
        while (t.remaining > 0 && !contra.empty()) {
            const std::uint32_t ls = contra.best_level();
            if (!t.market && !crosses(t.side, t.limit, contra.level(ls).price)) break;
            while (t.remaining > 0) {
                const std::uint32_t ms = contra.level(ls).front();
                if (ms == kNil) break;
                if (self_match(t, pool_[ms])) {
                    prevent_self_trade(t, ms);
                } else {
                    fill(t, ms, ls, contra);
                }
            }
            if (contra.level(ls).empty()) contra.remove_level(ls);
        }
    }

    void fill(Taker& t, std::uint32_t ms, std::uint32_t ls, PriceLadder& contra) {
        Order& m = pool_[ms];
        const std::uint32_t q = std::min(t.remaining, m.shown);
        m.shown -= q;
        m.filled += q;
        t.remaining -= q;
        t.filled += q;
        contra.adjust(ls, m.hidden(), -static_cast<std::int64_t>(q), -static_cast<std::int64_t>(q));

        Event& e = emit(EventType::Fill, t.ts, t.id, t.side);
        e.contra_id = m.id;
        e.price = m.price;
        e.quantity = q;
        e.leaves = t.remaining;
        e.contra_leaves = m.leaves();
        e.liquidity = static_cast<std::uint8_t>(m.hidden() ? Liquidity::MakerHidden : Liquidity::MakerDisplayed);
        e.flags = t.hidden ? kEventTakerHidden : 0;

        if (m.shown > 0) return;
        if (m.reserve > 0) {
            // Refill the display from the reserve; the order goes to the back.
            contra.unlink(pool_, ms);
            m.shown = std::min(m.peak, m.reserve);
            m.reserve -= m.shown;
            m.ts = t.ts;
            contra.push_back(pool_, ms, ls);
            Event& r = emit(EventType::Refreshed, t.ts, m.id, m.side);
            r.price = m.price;
            r.quantity = m.shown;
            r.leaves = m.leaves();
            return;
        }
        contra.unlink(pool_, ms);
        index_.erase(m.id);
        pool_.release(ms);
    }

    void prevent_self_trade(Taker& t, std::uint32_t ms) {
        switch (t.stp) {
            case StpMode::CancelNewest:
                cancel_taker(t, Reason::StpCancelNewest);
                return;
            case StpMode::CancelOldest:
                remove_resting(ms, t.ts, EventType::Cancelled, Reason::StpCancelOldest, true);
                return;
            case StpMode::CancelBoth:
                remove_resting(ms, t.ts, EventType::Cancelled, Reason::StpCancelBoth, true);
                cancel_taker(t, Reason::StpCancelBoth);
                return;
            case StpMode::Decrement: {
                const Order& m = pool_[ms];
                const std::uint32_t d = std::min(t.remaining, m.leaves());
                if (d == m.leaves()) {
                    remove_resting(ms, t.ts, EventType::Cancelled, Reason::StpDecrement, true);
                } else {
                    shrink_resting(ms, d);
                    Event& e = emit(EventType::Reduced, t.ts, m.id, m.side);
                    e.price = m.price;
                    e.quantity = d;
                    e.leaves = m.leaves();
                    e.reason = static_cast<std::uint16_t>(Reason::StpDecrement);
                    e.flags = kEventPriorityKept;
                }
                if (d == t.remaining) {
                    cancel_taker(t, Reason::StpDecrement);
                } else {
                    t.remaining -= d;
                    Event& e = emit(EventType::Reduced, t.ts, t.id, t.side);
                    e.price = t.limit;
                    e.quantity = d;
                    e.leaves = t.remaining;
                    e.reason = static_cast<std::uint16_t>(Reason::StpDecrement);
                }
                return;
            }
            case StpMode::None:
                return;
        }
    }

    void cancel_taker(Taker& t, Reason why) {
        Event& e = emit(EventType::Cancelled, t.ts, t.id, t.side);
        e.price = t.limit;
        e.quantity = t.remaining;
        e.reason = static_cast<std::uint16_t>(why);
        t.remaining = 0;
        t.stopped = true;
    }

    // After matching: rest the remainder, or cancel it (IOC, FOK, market).
    void finish_taker(Taker& t, TimeInForce tif, Price rest_price, const Command& attrs) {
        if (t.remaining == 0 || t.stopped) return;
        if (t.market || tif == TimeInForce::Ioc || tif == TimeInForce::Fok) {
            cancel_taker(t, Reason::IocRemainder);
            return;
        }
        const std::uint32_t slot = pool_.allocate();
        Order& o = pool_[slot];
        o.id = t.id;
        o.price = rest_price;
        o.ts = t.ts;
        o.peak = static_cast<std::uint32_t>(attrs.display_quantity);
        o.shown = (o.peak > 0 && !t.hidden) ? std::min(o.peak, t.remaining) : t.remaining;
        o.reserve = t.remaining - o.shown;
        o.filled = t.filled;
        o.participant = t.participant;
        o.side = t.side;
        o.tif = tif;
        o.stp = t.stp;
        o.post_only = static_cast<PostOnly>(attrs.post_only);
        o.flags = attrs.flags;
        o.padding = 0;
        PriceLadder& own = ladder(t.side);
        own.push_back(pool_, slot, own.find_or_add(rest_price));
        index_.insert(t.id, slot);
    }

    // Remove a resting order entirely, reporting why. Inside match() the level
    // being walked must stay allocated, so the caller removes it (keep_level).
    void remove_resting(std::uint32_t slot, Timestamp ts, EventType type, Reason why,
                        bool keep_level = false) {
        Order& o = pool_[slot];
        Event& e = emit(type, ts, o.id, o.side);
        e.price = o.price;
        e.quantity = o.leaves();
        e.reason = static_cast<std::uint16_t>(why);
        PriceLadder& l = ladder(o.side);
        l.unlink(pool_, slot);
        if (!keep_level) drop_level_if_empty(o.side, o.level);
        index_.erase(o.id);
        pool_.release(slot);
    }

    // Take `cut` (< leaves) shares off a resting order, reserve first.
    void shrink_resting(std::uint32_t slot, std::uint32_t cut) noexcept {
        Order& o = pool_[slot];
        const std::uint32_t from_reserve = std::min(cut, o.reserve);
        const std::uint32_t from_shown = cut - from_reserve;
        o.reserve -= from_reserve;
        o.shown -= from_shown;
        ladder(o.side).adjust(o.level, o.hidden(), -static_cast<std::int64_t>(from_shown),
                              -static_cast<std::int64_t>(cut));
    }

    void drop_level_if_empty(Side s, std::uint32_t level_slot) {
        PriceLadder& l = ladder(s);
        if (l.level(level_slot).empty()) l.remove_level(level_slot);
    }

    // ------------------------------------------------------------------ events
    Event& emit(EventType type, Timestamp ts, OrderId id, Side side) {
        Event& e = events_.append();
        e.seq = ++seq_;
        e.ts = ts;
        e.type = static_cast<std::uint8_t>(type);
        e.order_id = id;
        e.side = static_cast<std::uint8_t>(side);
        return e;
    }

    void reject(Timestamp ts, OrderId id, std::uint8_t side, Price price, Quantity qty, Reason why) {
        Event& e = events_.append();
        e.seq = ++seq_;
        e.ts = ts;
        e.type = static_cast<std::uint8_t>(EventType::Rejected);
        e.order_id = id;
        e.side = side;
        e.price = price;
        e.quantity = qty;
        e.reason = static_cast<std::uint16_t>(why);
    }

    void emit_replaced(Timestamp ts, OrderId id, OrderId new_id, Side side, Price price, Quantity qty,
                       std::uint8_t flags) {
        Event& e = emit(EventType::Replaced, ts, id, side);
        e.contra_id = new_id;
        e.price = price;
        e.quantity = e.leaves = qty;
        e.flags = flags;
    }

    static OrderView view(const Order& o) noexcept {
        OrderView v{};
        v.order_id = o.id;
        v.ts = o.ts;
        v.price = o.price;
        v.leaves = o.leaves();
        v.displayed = o.hidden() ? 0 : o.shown;
        v.reserve = o.reserve;
        v.filled = o.filled;
        v.display_quantity = o.peak;
        v.participant = o.participant;
        v.side = static_cast<std::uint8_t>(o.side);
        v.tif = static_cast<std::uint8_t>(o.tif);
        v.stp = static_cast<std::uint8_t>(o.stp);
        v.post_only = static_cast<std::uint8_t>(o.post_only);
        v.flags = o.flags;
        return v;
    }

    TickRegime regime_;
    PriceLadder bids_{Side::Buy};
    PriceLadder asks_{Side::Sell};
    OrderPool pool_;
    OrderIndex index_;
    EventBuffer events_;
    std::uint64_t seq_ = 0;
    Timestamp last_ts_ = std::numeric_limits<Timestamp>::min();
    std::vector<std::uint32_t> scratch_;
};

}  // namespace engine
