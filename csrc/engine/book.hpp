// A limit order book for one symbol: price / display / time priority matching,
// with optional Regulation NMS handling.
//
// Every operation appends what happened to the book's EventBuffer; a refused
// command appends one Rejected event and leaves the book exactly as it was.
//
// A plain book knows nothing of other venues. After enable_reg_nms() it keeps
// a protected-quote table (fed by update_quote) and, before each fill, checks
// the fill's price against it (Rule 611): inside the protected band a fill
// costs two comparisons more; outside it the exceptions are evaluated, and a
// fill that would trade through is not committed but routed around or stopped
// (D7). Resting displayed orders do not lock or cross protected quotes (Rule
// 610(e)): they slide, adjust or are cancelled back, and re-price as quotes move.
//
// Hot-path rules kept here: no allocation per order in steady state (pools and
// flat arrays that only grow), no virtual calls, no exceptions (except
// std::bad_alloc when memory runs out), O(1) lookup by order id.
//
// Running out of memory: every command first makes room for what it needs in
// the pool, the id index, the ladders and the event buffer, so a command that
// cannot have its memory is refused with std::bad_alloc before it changes
// anything. One that still runs out part way (a sweep emitting more events than
// that headroom, re-pricing many orders to new levels) marks the book failed():
// its state is no longer trusted, and the caller restores it from a snapshot or
// journal.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "event_buffer.hpp"
#include "fees.hpp"
#include "order_index.hpp"
#include "order_pool.hpp"
#include "price.hpp"
#include "price_ladder.hpp"
#include "protected_quotes.hpp"
#include "records.hpp"
#include "reg_nms.hpp"
#include "trade_through.hpp"
#include "types.hpp"

namespace engine {

constexpr Side opposite(Side s) noexcept { return s == Side::Buy ? Side::Sell : Side::Buy; }

// True when an order on `side` limited at `limit` can trade at `contra_price`.
constexpr bool crosses(Side side, Price limit, Price contra_price) noexcept {
    return side == Side::Buy ? limit >= contra_price : limit <= contra_price;
}

class Book {
    friend struct SnapshotAccess;  // snapshot.hpp saves and restores the whole state

public:
    explicit Book(TickRegime regime = TickRegime::Penny2005) : regime_(regime) {}
    Book(const Book&) = delete;
    Book& operator=(const Book&) = delete;

    TickRegime tick_regime() const noexcept { return regime_; }

    // Pre-size for `orders` resting orders and as many pending events, and
    // touch that memory, so that a venue's hot path never grows a structure or
    // takes a page fault (call at start-up).
    // Each structure grows all or nothing: after std::bad_alloc the book is as
    // it was (some structures may already be larger).
    void reserve(std::size_t orders) {
        pool_.reserve(orders);
        index_.reserve(orders);
        events_.prefault(orders);
    }

    // True once a command ran out of memory part way: the state is not trusted.
    bool failed() const noexcept { return in_command_; }

    // ------------------------------------------------------- Reg NMS set-up
    // Attach a protected-quote table and the Rule 611 / 610(e) handling, for
    // away venues 0..venues-1 (quotes and self-help for others are refused).
    void enable_reg_nms(int venues = kMaxVenues) {
        if (!nms_) {
            nms_ = std::make_unique<RegNmsState>();
            nms_->table.set_regime(regime_);
        }
        nms_->table.set_venue_count(venues);
    }
    bool reg_nms_enabled() const noexcept { return nms_ != nullptr; }
    RegNmsState* reg_nms() noexcept { return nms_.get(); }
    const RegNmsState* reg_nms() const noexcept { return nms_.get(); }

    // Load a fee schedule; returns the field that breaks the regime's cap
    // (and loads nothing), or nullptr.
    const char* set_fee_schedule(const FeeSchedule& s, FeeCapRegime regime) {
        if (!nms_) return "reg_nms";
        if (!is_known_fee_regime(static_cast<std::uint8_t>(regime))) return "regime";
        if (const char* bad = fee_cap_violation(s, regime)) return bad;
        nms_->fees = s;
        nms_->fee_regime = regime;
        nms_->fees_loaded = s.take_fee_nd || s.take_rate_ppm || s.make_rebate_nd || s.make_rate_ppm;
        return nullptr;
    }

    // ---------------------------------------------------------------- commands
    void execute(const Command& c) {
        guarded(needs_of(c), [&] { execute_one(c); });
    }

    // Each command is copied before it is looked at: the caller's array may
    // change under a batch (another thread), and a command must be validated
    // and applied from the same bytes.
    void execute_batch(const Command* commands, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            Command c;
            std::memcpy(&c, commands + i, sizeof c);
            asm volatile("" : : "r"(&c) : "memory");  // read c from here on, never again from commands[i]
            guarded(needs_of(c), [&] { execute_one(c); });
        }
    }

    // A new order (Command::action is not looked at).
    void submit(const Command& c) {
        guarded(kNeedOrder, [&] { submit_one(c); });
    }

    void cancel(Timestamp ts, OrderId id) {
        guarded(kNeedEvents, [&] { cancel_one(ts, id); });
    }

    // Cancel `quantity` shares of a resting order, keeping its time priority.
    // The reserve is reduced first, so the displayed size changes last.
    void reduce(Timestamp ts, OrderId id, Quantity quantity) {
        guarded(kNeedEvents, [&] { reduce_one(ts, id, quantity); });
    }

    // Change a resting order's limit price and/or size (and optionally its id).
    // `quantity` is the new total left to execute. The order keeps its time
    // priority when the limit is unchanged and the size does not grow;
    // otherwise it is re-entered with the new time and may execute at once.
    void replace(Timestamp ts, OrderId id, OrderId new_id, Price price, Quantity quantity) {
        guarded(kNeedOrder, [&] { replace_one(ts, id, new_id, price, quantity); });
    }

    // Expire every resting order whose time in force is `tif` (DAY at the end
    // of the day; GTC when a venue clears its book), in priority order.
    void expire(Timestamp ts, TimeInForce tif) {
        guarded(kNeedEvents, [&] { expire_all(ts, tif); });
    }

private:
    // Room for what one command needs, made before it changes anything, then
    // the command; running out of memory inside it marks the book failed.
    enum Needs : unsigned {
        kNeedEvents = 1,  // a command that emits events
        kNeedOrder = 3,   // one that may also rest an order: a pool slot, an index slot, a level
    };
    static Needs needs_of(const Command& c) noexcept {
        const auto a = static_cast<Action>(c.action);
        return a == Action::New || a == Action::Replace ? kNeedOrder : kNeedEvents;
    }

    // The mark is set before the command and cleared after it, so it stays set
    // when std::bad_alloc escapes part way (a try/catch here measured about
    // 10 ns a call from Python: it blocks optimisation of the inlined body).
    template <class Body>
    void guarded(Needs needs, Body&& body) {
        make_headroom(needs);
        in_command_ = true;
        body();
        in_command_ = false;
    }

    [[gnu::always_inline]] void make_headroom(Needs needs = kNeedOrder) {
        events_.reserve_more(kEventHeadroom);
        if (needs != kNeedOrder) return;
        pool_.make_room_for_one();
        index_.make_room_for_one();
        bids_.make_room_for_one();
        asks_.make_room_for_one();
    }
    static constexpr std::size_t kEventHeadroom = 64;

    void execute_one(const Command& c) {
        switch (static_cast<Action>(c.action)) {
            case Action::New: submit_one(c); return;
            case Action::Cancel: cancel_one(c.ts, c.order_id); return;
            case Action::Replace: replace_one(c.ts, c.order_id, c.new_order_id, c.price, c.quantity); return;
            case Action::Reduce: reduce_one(c.ts, c.order_id, c.quantity); return;
            case Action::Expire: expire_all(c.ts, static_cast<TimeInForce>(c.tif)); return;
        }
        reject(c.ts, c.order_id, c.side, c.price, c.quantity, Reason::InvalidAction);
    }

    void submit_one(const Command& c) {
        const Reason invalid = validate_new(c);
        if (invalid != Reason::None) {
            reject(c.ts, c.order_id, c.side, c.price, c.quantity, invalid);
            return;
        }
        const Side side = static_cast<Side>(c.side);
        const bool market = static_cast<OrderType>(c.order_type) == OrderType::Market;
        const PostOnly post_only = static_cast<PostOnly>(c.post_only);
        const auto tif = static_cast<TimeInForce>(c.tif);
        PriceLadder& contra = ladder(opposite(side));

        // A refusal changes nothing, so the refusals below are decided against
        // the book as it will be once the re-pricing due at c.ts is done
        // (sync_reg_nms), without doing it yet.
        if (market && contra.empty() && !(nms_ && (c.flags & kFlagRoutable))) {
            reject(c.ts, c.order_id, c.side, c.price, c.quantity, Reason::NoLiquidity);
            return;
        }
        // The refusals below read the self-help state at c.ts (a cache: refreshing it changes nothing observable).
        if (nms_ && (post_only != PostOnly::None || resolve_lock_mode(c.lock_cross) == LockCrossMode::CancelBack))
            nms_->table.refresh(c.ts);
        Price rest_price = c.price;
        if (post_only != PostOnly::None) {
            const Reason r = post_only_price(side, post_only, c.price, best_ranked_after_sync(opposite(side)),
                                             &rest_price);
            if (r != Reason::None) {
                reject(c.ts, c.order_id, c.side, c.price, c.quantity, r);
                return;
            }
        }
        if (nms_ && would_cancel_back_untouched(c, side, tif)) {
            reject(c.ts, c.order_id, c.side, c.price, c.quantity, Reason::WouldLockCross);
            return;
        }

        last_ts_ = c.ts;  // only commands that are not rejected move the clock
        if (nms_) {
            sync_reg_nms(c.ts);
            ++nms_->command;
        }
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
        t.flags = c.flags;
        t.hidden = (c.flags & kFlagHidden) != 0;
        t.code = nms_ ? ComplianceCode::NoTradeThrough : ComplianceCode::None;

        if (rest_price != c.price) {
            Event& rp = emit(EventType::Repriced, c.ts, c.order_id, side);
            rp.price = rp.aux = rest_price;
            rp.leaves = c.quantity;
            rp.reason = static_cast<std::uint16_t>(Reason::PostOnlyRepriced);
        } else if (post_only == PostOnly::None) {
            if (tif == TimeInForce::Fok) {
                const FokCheck f = fok_fillable(t);
                if (f.result != Fillable::Yes) {
                    if (f.result == Fillable::TradeThrough) emit_blocked(t, f.price, f.front, f.need, f.decision);
                    cancel_taker(t, f.result == Fillable::TradeThrough ? Reason::WouldTradeThrough
                                                                        : Reason::FokNotFillable);
                    return;
                }
            }
            match(t);
        }
        Command attrs = c;
        attrs.lock_cross = static_cast<std::uint8_t>(resolve_lock_mode(c.lock_cross));
        finish_taker(t, tif, rest_price, attrs);
    }

    void cancel_one(Timestamp ts, OrderId id) {
        if (ts < last_ts_) return reject(ts, id, 0, 0, 0, Reason::TimestampRegression);
        const std::uint32_t slot = find_live(id, ts);
        if (slot == OrderIndex::kNotFound) return reject(ts, id, 0, 0, 0, Reason::UnknownOrderId);
        last_ts_ = ts;
        if (nms_) sync_reg_nms(ts);
        remove_resting(slot, ts, EventType::Cancelled, Reason::UserCancel);
    }

    void reduce_one(Timestamp ts, OrderId id, Quantity quantity) {
        if (ts < last_ts_) return reject(ts, id, 0, 0, quantity, Reason::TimestampRegression);
        const std::uint32_t slot = find_live(id, ts);
        if (slot == OrderIndex::kNotFound) return reject(ts, id, 0, 0, quantity, Reason::UnknownOrderId);
        const Order& o = pool_[slot];
        if (quantity <= 0) return reject(ts, id, sidev(o), o.price, quantity, Reason::InvalidQuantity);
        if (quantity > o.leaves())
            return reject(ts, id, sidev(o), o.price, quantity, Reason::QuantityExceedsLeaves);
        last_ts_ = ts;
        if (nms_) sync_reg_nms(ts);
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

    void replace_one(Timestamp ts, OrderId id, OrderId new_id, Price price, Quantity quantity) {
        if (ts < last_ts_) return reject(ts, id, 0, price, quantity, Reason::TimestampRegression);
        const std::uint32_t slot = find_live(id, ts);
        if (slot == OrderIndex::kNotFound) return reject(ts, id, 0, price, quantity, Reason::UnknownOrderId);
        const Order& o = pool_[slot];
        const std::uint8_t sv = sidev(o);
        if (new_id == 0) new_id = id;
        if (new_id != id && find_live(new_id, ts) != OrderIndex::kNotFound)
            return reject(ts, id, sv, price, quantity, Reason::DuplicateOrderId);
        Reason r = validate_quantity(quantity);
        if (r == Reason::None) r = validate_limit_price(price);
        if (r != Reason::None) return reject(ts, id, sv, price, quantity, r);
        if (nms_) nms_->table.refresh(ts);  // the self-help state at ts (a cache, as in submit)
        const Price limit = limit_of(slot);
        const bool keep_priority = price == limit && quantity <= o.leaves();
        Price rest_price = price;
        if (!keep_priority && o.post_only() != PostOnly::None) {
            // decided as the book will be after the due re-pricing (see submit)
            r = post_only_price(o.side, o.post_only(), price, best_ranked_after_sync(opposite(o.side)), &rest_price);
            if (r != Reason::None) return reject(ts, id, sv, price, quantity, r);
        }
        last_ts_ = ts;
        if (nms_) {
            sync_reg_nms(ts);
            ++nms_->command;
        }

        if (keep_priority) {
            const std::uint32_t cut = o.leaves() - static_cast<std::uint32_t>(quantity);
            if (cut) shrink_resting(slot, cut);
            if (new_id != id) {
                index_.erase(id);
                index_.insert(new_id, slot);
                rename_repriced(slot, id, new_id);
                pool_[slot].id = new_id;
            }
            emit_replaced(ts, id, new_id, o.side, price, quantity, kEventPriorityKept);
            return;
        }

        // Re-enter: take the order out, keeping its attributes, and run it again.
        const Order old = o;
        detach(slot);
        emit_replaced(ts, id, new_id, old.side, price, quantity, 0);

        Taker t{};
        t.id = new_id;
        t.ts = ts;
        t.side = old.side;
        t.limit = price;
        t.remaining = static_cast<std::uint32_t>(quantity);
        t.filled = old.filled;
        t.participant = old.participant;
        t.stp = old.stp();
        t.flags = old.flags & (kFlagHidden | kFlagRoutable);
        t.hidden = old.hidden();
        t.code = nms_ ? ComplianceCode::NoTradeThrough : ComplianceCode::None;
        if (rest_price != price) {
            Event& rp = emit(EventType::Repriced, ts, new_id, old.side);
            rp.price = rp.aux = rest_price;
            rp.leaves = quantity;
            rp.reason = static_cast<std::uint16_t>(Reason::PostOnlyRepriced);
        } else if (old.post_only() == PostOnly::None) {
            match(t);
        }
        Command attrs{};
        attrs.display_quantity = old.peak;
        attrs.participant = old.participant;
        attrs.stp = static_cast<std::uint8_t>(old.stp());
        attrs.post_only = static_cast<std::uint8_t>(old.post_only());
        attrs.lock_cross = static_cast<std::uint8_t>(old.lock_mode());
        attrs.flags = t.flags;
        finish_taker(t, old.tif, rest_price, attrs);
    }

    void expire_all(Timestamp ts, TimeInForce tif) {
        if (ts < last_ts_) return reject(ts, 0, 0, 0, 0, Reason::TimestampRegression);
        if (tif != TimeInForce::Day && tif != TimeInForce::Gtc)
            return reject(ts, 0, 0, 0, 0, Reason::InvalidTimeInForce);
        scratch_.clear();
        for (const PriceLadder* l : {&bids_, &asks_}) {
            for (std::size_t r = 0; r < l->level_count(); ++r) {
                const Level& lv = l->level(l->level_at_rank(r));
                for (std::uint32_t head : {lv.display_head, lv.hidden_head})
                    for (std::uint32_t s = head; s != kNil; s = pool_[s].next)
                        if (pool_[s].tif == tif) scratch_.push_back(s);
            }
        }
        events_.reserve_more(scratch_.size());  // before anything changes
        last_ts_ = ts;
        for (std::uint32_t s : scratch_) remove_resting(s, ts, EventType::Expired, Reason::EndOfDay);
    }

public:

    // ------------------------------------------------------- Reg NMS inputs
    // One away venue's new best bid and offer (REQ-PQ-01). Resting orders
    // ranked away from their limits re-price if the protected BBO moved.
    void update_quote(const QuoteUpdate& q) {
        guarded(kNeedEvents, [&] { update_quote_one(q); });
    }

    // Each update is copied before it is looked at (see execute_batch).
    void update_quotes(const QuoteUpdate* quotes, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            QuoteUpdate q;
            std::memcpy(&q, quotes + i, sizeof q);
            asm volatile("" : : "r"(&q) : "memory");
            guarded(kNeedEvents, [&] { update_quote_one(q); });
        }
    }

    // Start or end of regular trading hours (D4).
    void set_session(Timestamp ts, bool regular_hours);

    // Self-help against `venue` over [start, end) (REQ-SH-01); end = kNever
    // while open. Refused: unknown venue, empty interval, or an overlap.
    void declare_self_help(Timestamp ts, int venue, Timestamp start, Timestamp end) {
        guarded(kNeedEvents, [&] { declare_self_help_one(ts, venue, start, end); });
    }

    // End the open self-help declaration against `venue` at `at`.
    void revoke_self_help(Timestamp ts, int venue, Timestamp at) {
        guarded(kNeedEvents, [&] { revoke_self_help_one(ts, venue, at); });
    }

    // Change Reg NMS settings: all of `change` is checked, then all applied
    // (resting re-priced orders are re-placed at the next command). Returns the
    // name of the field that is not valid (and changes nothing), or nullptr.
    // With `apply` false it only checks.
    const char* configure(const ConfigChange& change, bool apply = true);

    // The Rule 611 decision for a print at p by an order on `side` with
    // `flags`, at time t, against the table as it will stand at t (self-help
    // and the look-back window brought up to t): a query for tests and
    // surveillance (REQ-AUD-02) that changes nothing. False (and *out left
    // alone) without Reg NMS, or for t earlier than the book's clock.
    bool check_print(Price p, Timestamp t, Side side, std::uint32_t flags, TradeThroughDecision* out) const;

    // The protected best bid and offer as of t (self-help brought up to t),
    // changing nothing. False without Reg NMS or for t earlier than the clock.
    bool protected_bbo(Timestamp t, ProtectedBbo* out) const;

    // ------------------------------------------------------- feed handling
    // Apply a venue's own messages, as a feed handler does: no matching, no
    // validation beyond what keeps the book sound, no events. For replaying
    // LOBSTER and ITCH flow (replay.hpp).

    // Rest a displayed order at the back of its level; false if the id is
    // live or the order is unusable.
    bool feed_add(Timestamp ts, OrderId id, Side side, Price price, Quantity qty);

    // Start loading what a later feed message about `id` will touch: first
    // its id-index slot, then (once that is in cache) the order itself.
    void prefetch_index(OrderId id) const noexcept { index_.prefetch(id); }
    void prefetch_order(OrderId id) const noexcept;

    // Remove up to qty shares of an order (an execution or a partial cancel);
    // the order goes when nothing is left. Returns the shares removed, or -1
    // when the id is not in the book.
    Quantity feed_take(OrderId id, Quantity qty);

    // Remove an order; returns the shares it had, or -1 when unknown.
    Quantity feed_delete(OrderId id);

    // An order replaced by a new one (new id, price and size; same side; at
    // the back of its level). False when the old id is unknown or the new one
    // cannot be added (the old one is then gone).
    bool feed_replace(Timestamp ts, OrderId old_id, OrderId new_id, Price price, Quantity qty);

    // Remove up to qty shares resting at a price, newest orders first (for
    // messages about orders the replay never saw). Returns the shares removed.
    Quantity feed_take_at(Side side, Price price, Quantity qty);

    // Displayed shares at a price (0 when no level).
    Quantity displayed_at(Side side, Price price) const noexcept;

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

    // Up to n displayed levels of a side, best first, by displayed price (a
    // slid order counts at the price it shows). Levels holding only
    // non-displayed interest are not shown.
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
        for (std::size_t r = 0; r < l.level_count(); ++r) {
            const Level& lv = l.level(l.level_at_rank(r));
            if (!add(lv.price, lv.displayed_qty, lv.displayed_orders)) break;
            if (lv.offset_qty && !add(less_aggressive(s, lv.price, regime_), lv.offset_qty, lv.offset_orders)) break;
        }
        return k;
    }

    // Best price a side is ranked at, hidden interest included; 0 when empty.
    Price best_ranked_price(Side s) const noexcept {
        const PriceLadder& l = ladder(s);
        return l.empty() ? 0 : l.best_price();
    }

    bool find_order(OrderId id, OrderView* out) const noexcept {
        const std::uint32_t slot = index_.find(id);
        if (slot == OrderIndex::kNotFound) return false;
        *out = view(slot);
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
                        out[k++] = view(s);
            }
        }
        return k;
    }

    // Bytes held by the book's own structures (not the pending events).
    std::size_t memory_bytes() const noexcept {
        return sizeof(Book) + pool_.capacity() * sizeof(Order) + index_.capacity() * 16 +
               bids_.memory_bytes() + asks_.memory_bytes() + scratch_.capacity() * 4 +
               (nms_ ? sizeof(RegNmsState) : 0);
    }

    // Full consistency check, for tests and fuzzing: returns nullptr when the
    // book is sound, or a description of the first broken invariant.
    const char* check_integrity() const {
        std::size_t seen = 0;
        std::size_t repriced = 0;
        for (const PriceLadder* l : {&bids_, &asks_}) {
            Price prev = 0;
            for (std::size_t r = 0; r < l->level_count(); ++r) {
                const std::uint32_t ls = l->level_at_rank(r);
                const Level& lv = l->level(ls);
                if (r > 0 && !(l->side() == Side::Buy ? lv.price < prev : lv.price > prev))
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
                        if (o.side != l->side()) return "order on the wrong side";
                        if (const char* why = check_order(o, nms_ != nullptr)) return why;
                        if (index_.find(o.id) != s) return "order not findable by id";
                        if (o.tracked()) {
                            if (!nms_ || !find_repriced(s)) return "re-priced order not tracked";
                            ++repriced;
                        }
                        total += o.leaves();
                        ++total_n;
                        if (!o.hidden() && o.display_offset()) { offset += o.shown; ++offset_n; }
                        else if (!o.hidden()) { shown += o.shown; ++shown_n; }
                        last = s;
                        ++seen;
                    }
                    if ((q ? lv.hidden_tail : lv.display_tail) != last) return "broken queue tail";
                }
                if (shown != lv.displayed_qty || total != lv.total_qty || shown_n != lv.displayed_orders ||
                    total_n != lv.total_orders || offset != lv.offset_qty || offset_n != lv.offset_orders)
                    return "level totals disagree with its orders";
            }
        }
        if (seen != index_.size()) return "id index and book disagree";
        if (nms_) {
            if (repriced != nms_->repriced[0].size() + nms_->repriced[1].size()) return "stale re-priced order entries";
            for (Side side : {Side::Buy, Side::Sell}) {
                for (const RepricedOrder& r : nms_->repriced[RegNmsState::side_index(side)]) {
                    if (index_.find(r.id) != r.slot) return "a re-priced entry for an order that is not resting";
                    const Order& o = pool_[r.slot];
                    if (o.side != side || !o.tracked()) return "a re-priced entry for an order that is not re-priced";
                    if (!is_known_reprice_kind(static_cast<std::uint8_t>(r.kind)) || !is_valid_price(r.limit, regime_))
                        return "a re-priced entry with a bad kind or limit";
                    if (o.watched() && r.limit != o.price) return "a watched order away from its limit";
                }
            }
        }
        if (!bids_.empty() && !asks_.empty() && bids_.best_price() >= asks_.best_price())
            return "book crossed or locked against itself";
        return nullptr;
    }

private:
    // What must hold of every resting order on its own (check_integrity, and
    // snapshot loading, which must never build a book that loops or wraps).
    // `reg_nms`: whether the book has the Reg NMS layer that re-prices orders.
    const char* check_order(const Order& o, bool reg_nms) const noexcept {
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
        if (o.hidden() && (o.reserve || o.peak || o.display_offset()))
            return "hidden order with a display";
        if ((o.tracked() || o.display_offset()) && !reg_nms) return "a re-priced order in a book without Reg NMS";
        if (o.display_offset() && !o.repriced()) return "an order displayed away from its rank but not re-priced";
        if (o.watched() && (o.repriced() || o.display_offset())) return "a watched order that is also re-priced";
        return nullptr;
    }

    // The incoming side of a match.
    struct Taker {
        OrderId id;
        Timestamp ts;
        Price limit;
        std::uint64_t filled;  // carried over by a replace: 64-bit
        std::uint32_t remaining;
        std::uint32_t participant;
        std::uint32_t flags;  // OrderFlag bits of the command
        Side side;
        StpMode stp;
        ComplianceCode code;  // what allows fills at the current level
        bool market;
        bool hidden;
        bool stopped;  // cancelled by self-trade prevention
        bool blocked;  // stopped by the trade-through check
        bool audit;    // fills at the current level traded through quotes: audit each
        bool routable() const noexcept { return (flags & kFlagRoutable) && !(flags & kFlagIso); }
    };

    enum class Fillable { Yes, Short, TradeThrough };

    // What the FOK pre-check found; for TradeThrough, the level that stopped it.
    struct FokCheck {
        Fillable result = Fillable::Short;
        Price price = 0;               // the level it could only reach by trading through
        std::uint32_t front = kNil;    // the order at the front of that level
        Quantity need = 0;             // the shares it needed there
        TradeThroughDecision decision; // the venues that blocked it
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
        if (find_live(c.order_id, c.ts) != OrderIndex::kNotFound) return Reason::DuplicateOrderId;
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
        if (c.lock_cross > 3) return Reason::InvalidLockCrossMode;
        const bool hidden = (c.flags & kFlagHidden) != 0;
        const bool iso = (c.flags & kFlagIso) != 0;
        if (iso && market) return Reason::IsoRequiresLimit;  // REQ-ISOIN-01
        const bool post_only = c.post_only != 0;
        const bool immediate = tif == TimeInForce::Ioc || tif == TimeInForce::Fok;
        if (post_only && (market || immediate)) return Reason::IncompatibleInstructions;
        if (c.display_quantity > 0 && (hidden || market)) return Reason::IncompatibleInstructions;
        if (hidden && market) return Reason::IncompatibleInstructions;
        if (iso && ((c.flags & kFlagRoutable) || post_only)) return Reason::IncompatibleInstructions;
        return Reason::None;
    }

    // The slot of a live order, as the book will be at ts once the re-pricing
    // due then is done: an order that re-pricing will cancel back (its lock/cross
    // exception lapsed, REQ-LC-04) counts as gone already, so that a command
    // about it is refused (or, for a new order with its id, accepted) without
    // doing that re-pricing first. With Reg NMS, refreshes the table's self-help
    // cache at ts (a cache: it changes nothing observable).
    [[gnu::always_inline]] std::uint32_t find_live(OrderId id, Timestamp ts) const noexcept {
        const std::uint32_t slot = index_.find(id);
        if (slot == OrderIndex::kNotFound || !nms_ || !pool_[slot].watched()) [[likely]] return slot;
        return find_live_watched(slot, ts);
    }
    [[gnu::cold]] std::uint32_t find_live_watched(std::uint32_t slot, Timestamp ts) const noexcept {
        nms_->table.refresh(ts);
        return cancelled_by_due_reprice(slot) ? OrderIndex::kNotFound : slot;
    }

    LockCrossMode resolve_lock_mode(std::uint8_t m) const noexcept {
        const auto mode = static_cast<LockCrossMode>(m);
        if (mode != LockCrossMode::Default) return mode;
        return nms_ ? nms_->config.default_lock_cross : LockCrossMode::Slide;
    }

    // Where a post-only order may rest without removing liquidity. Re-pricing
    // looks at the best contra *ranked* price, hidden interest included, so a
    // post-only order never executes and the book never locks; with Reg NMS it
    // also stays clear of the protected BBO (REQ-LC-06, PRICE_ADJUST semantics).
    // `contra_best` is the best contra ranked price (0 when none).
    Reason post_only_price(Side side, PostOnly mode, Price limit, Price contra_best, Price* rest) const noexcept {
        *rest = limit;
        Price bound = contra_best;
        if (nms_) {
            const Price away = nms_->lock_bound(side);
            if (away > 0 && (bound == 0 || crosses(side, bound, away))) bound = away;
        }
        if (bound == 0 || !crosses(side, limit, bound)) return Reason::None;
        if (mode == PostOnly::Reject) return Reason::PostOnlyWouldRemove;
        const Price p = less_aggressive(side, bound, regime_);
        if (p == 0) return Reason::PostOnlyWouldRemove;
        *rest = p;
        return Reason::None;
    }

    bool self_match(const Taker& t, const Order& m) const noexcept {
        return t.stp != StpMode::None && t.participant != 0 && m.participant == t.participant;
    }

    // Can a FOK order fill completely right now? With self-trade prevention
    // on, meeting one's own order at any level the FOK needs makes it not
    // fillable (only CancelOldest clears such orders out of the way). With
    // Reg NMS, a level it could only reach by trading through stops it: FOK
    // orders are never routed.
    FokCheck fok_fillable(const Taker& t) {
        FokCheck out;
        const PriceLadder& contra = ladder(opposite(t.side));
        std::uint64_t need = t.remaining;
        const bool stp = t.stp != StpMode::None && t.participant != 0;
        for (std::size_t r = 0; r < contra.level_count(); ++r) {
            const Level& lv = contra.level(contra.level_at_rank(r));
            if (!t.market && !crosses(t.side, t.limit, lv.price)) break;
            if (nms_ && !level_allowed(t, lv.price, &out.decision)) {
                // D15: who stopped it is reported, as for an IOC (REQ-AUD-01)
                out.result = Fillable::TradeThrough;
                out.price = lv.price;
                out.front = lv.front();
                out.need = static_cast<Quantity>(need);
                return out;
            }
            std::uint64_t available = lv.total_qty;
            if (stp) {
                for (std::uint32_t head : {lv.display_head, lv.hidden_head}) {
                    for (std::uint32_t s = head; s != kNil; s = pool_[s].next) {
                        if (pool_[s].participant != t.participant) continue;
                        if (t.stp != StpMode::CancelOldest) return out;
                        available -= pool_[s].leaves();
                    }
                }
            }
            if (available >= need) {
                out.result = Fillable::Yes;
                return out;
            }
            need -= available;
        }
        return out;
    }

    // ---------------------------------------------------------------- matching
    void match(Taker& t) {
        PriceLadder& contra = ladder(opposite(t.side));
        while (t.remaining > 0 && !contra.empty()) {
            const std::uint32_t ls = contra.best_level();
            const Price p = contra.level(ls).price;
            if (!t.market && !crosses(t.side, t.limit, p)) break;
            if (nms_) {
                // The common case inline: the print trades through nothing (REQ-TT-03).
                const RegNmsState& n = *nms_;
                if (n.in_rth && n.config.rule611_enabled && n.table.inside_band(p)) {
                    t.code = ComplianceCode::NoTradeThrough;
                    t.audit = false;
                } else if (!clear_level(t, p, contra.level(ls).front())) {
                    break;
                }
            }
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
        contra.adjust(m, -static_cast<std::int64_t>(q), -static_cast<std::int64_t>(q));

        if (t.audit) audit_trade_through(t, m.price, m.id, level_decision_);  // REQ-AUD-01, per fill
        Event& e = emit(EventType::Fill, t.ts, t.id, t.side);
        e.contra_id = m.id;
        e.price = m.price;
        e.quantity = q;
        e.leaves = t.remaining;
        e.contra_leaves = m.leaves();
        e.liquidity = static_cast<std::uint8_t>(m.hidden() ? Liquidity::MakerHidden : Liquidity::MakerDisplayed);
        e.flags = static_cast<std::uint8_t>((t.hidden ? kEventTakerHidden : 0) | ((t.flags & kFlagIso) ? kEventIso : 0));
        e.compliance_code = static_cast<std::uint16_t>(t.code);
        if (nms_) {
            const RegNmsState& n = *nms_;
            e.quote_version = n.table.version();
            if (n.fees_loaded) {
                e.fee = per_share_nd(m.price, n.fees.take_fee_nd, n.fees.take_rate_ppm) * q;
                e.aux = per_share_nd(m.price, n.fees.make_rebate_nd, n.fees.make_rate_ppm) * q;
            }
        }

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
        detach(ms, /*keep_level=*/true);
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

    // After matching: route, rest the remainder (applying 610(e)), or cancel it.
    void finish_taker(Taker& t, TimeInForce tif, Price rest_price, const Command& attrs) {
        if (t.remaining == 0 || t.stopped) return;
        const bool immediate = t.market || tif == TimeInForce::Ioc || tif == TimeInForce::Fok;
        if (nms_ && t.routable() && tif != TimeInForce::Fok) {
            route_to_crossing_quotes(t);  // away liquidity at or inside the limit (REQ-OH-01)
            if (t.remaining == 0) return;
        }
        if (immediate) {
            cancel_taker(t, t.blocked ? Reason::WouldTradeThrough : Reason::IocRemainder);
            return;
        }

        Placement pl{rest_price, false, false};
        RepriceKind kind = RepriceKind::Slide;
        bool watched = false;
        const auto mode = static_cast<LockCrossMode>(attrs.lock_cross);
        const bool day_iso = (t.flags & kFlagIso) != 0;  // rests at its limit (REQ-ISOIN-03)
        if (nms_ && !day_iso) {
            kind = reprice_kind(t.hidden, mode, attrs.post_only != 0);
            if (attrs.post_only == 0) {  // post-only orders were placed clear of the lock bound already
                const Price bound = nms_->lock_bound(t.side);
                if (kind == RepriceKind::CancelBack && locks_or_crosses(t.side, rest_price, bound)) {
                    cancel_taker(t, Reason::WouldLockCross);
                    return;
                }
                pl = clear_of_own_book(t.side, place(t.side, rest_price, bound, kind, regime_));
                if (pl.rank == 0) {
                    cancel_taker(t, Reason::WouldLockCross);
                    return;
                }
            }
            // REQ-LC-01(a)/(b): resting at its limit, locking or crossing a quote
            // that an exception takes out of the test: looked at again when it lapses.
            watched = !pl.repriced && under_lock_exception(t.side, pl.rank);
        }

        auto* tracked = (pl.repriced || watched) ? &nms_->repriced[RegNmsState::side_index(t.side)] : nullptr;
        if (tracked && tracked->size() == tracked->capacity()) tracked->reserve(tracked->size() * 2 + 8);
        const std::uint32_t slot = pool_.allocate();
        Order& o = pool_[slot];
        o.id = t.id;
        o.price = pl.rank;
        o.ts = t.ts;
        o.peak = static_cast<std::uint32_t>(attrs.display_quantity);
        o.shown = (o.peak > 0 && !t.hidden) ? std::min(o.peak, t.remaining) : t.remaining;
        o.reserve = t.remaining - o.shown;
        o.filled = t.filled;
        o.participant = t.participant;
        o.side = t.side;
        o.tif = tif;
        // A resting order keeps only its standing instructions: attestations
        // and the ISO mark attach to its arrival (REQ-ISOIN-03).
        o.flags = static_cast<std::uint16_t>(
            order_flags(t.flags, t.stp, static_cast<PostOnly>(attrs.post_only),
                        static_cast<LockCrossMode>(attrs.lock_cross)) |
            (pl.display_offset ? kOrderDisplayOffset : 0) | (pl.repriced ? kOrderRepriced : 0) |
            (watched ? kOrderWatched : 0));
        PriceLadder& own = ladder(t.side);
        own.push_back(pool_, slot, own.find_or_add(pl.rank));
        index_.insert(t.id, slot);
        if (tracked) tracked->push_back(RepricedOrder{t.id, slot, kind, rest_price});
        if (pl.repriced) {
            Event& e = emit(EventType::Repriced, t.ts, t.id, t.side);
            e.price = pl.rank;
            e.aux = display_price(o);
            e.leaves = o.leaves();
            e.reason = static_cast<std::uint16_t>(kind == RepriceKind::Slide    ? Reason::Slid
                                                  : kind == RepriceKind::Adjust ? Reason::PriceAdjusted
                                                                                : Reason::RankedAtLock);
        }
    }

    // Remove a resting order entirely, reporting why. Inside match() the level
    // being walked must stay allocated, so the caller removes it (keep_level).
    void remove_resting(std::uint32_t slot, Timestamp ts, EventType type, Reason why,
                        bool keep_level = false) {
        const Order& o = pool_[slot];
        Event& e = emit(type, ts, o.id, o.side);
        e.price = o.price;
        e.quantity = o.leaves();
        e.reason = static_cast<std::uint16_t>(why);
        detach(slot, keep_level);
    }

    // Take an order out of the book, its index and the pool.
    void detach(std::uint32_t slot, bool keep_level = false) {
        Order& o = pool_[slot];
        PriceLadder& l = ladder(o.side);
        l.unlink(pool_, slot);
        if (!keep_level && l.level(o.level).empty()) l.remove_level(o.level);
        if (o.tracked()) forget_repriced(slot);
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
        ladder(o.side).adjust(o, -static_cast<std::int64_t>(from_shown), -static_cast<std::int64_t>(cut));
    }

    // ------------------------------------------------ Reg NMS order handling
    // Bring self-help state up to `ts` and re-price resting orders if the
    // protected BBO they were placed against has changed since.
    void sync_reg_nms(Timestamp ts);

    // The trade-through check for fills at price p (REQ-TT-03..07): true when
    // they may be committed, with t.code set; false when the taker must stop.
    // Cold: match() handles the common case inline; this runs only outside the band.
    [[gnu::cold]] bool clear_level(Taker& t, Price p, std::uint32_t front);

    // As clear_level, without side effects: for the FOK pre-check. When not
    // allowed, *d holds the decision (the venues that block).
    bool level_allowed(const Taker& t, Price p, TradeThroughDecision* d);

    // REQ-AUD-01: a fill that was not committed, with the venues that blocked it.
    void emit_blocked(const Taker& t, Price p, std::uint32_t front, Quantity shares, const TradeThroughDecision& d);

    // REQ-AUD-01: before an allowed fill that traded through protected quotes,
    // one TradeThrough event per quote, with the code that cleared it.
    void audit_trade_through(const Taker& t, Price p, OrderId maker, const TradeThroughDecision& d);

    // ISOs to the contra-side quotes in `mask` that a print at p trades through.
    void route_through(Taker& t, Price p, std::uint32_t mask);

    // ISOs to every protected contra quote at or inside the taker's limit.
    void route_to_crossing_quotes(Taker& t);

    // Send ISOs, best price first (ties by venue id), each for the quote's full
    // displayed size less what was already routed to it in this command, or
    // what the taker has left if that is less (REQ-ISOOUT-01). A quote routed
    // to for its full size by an earlier command is left alone (FAQ 4.08); one
    // routed to for less than its size by an earlier command is routed to for
    // its full size again (REQ-EXC-06: the full size, in the same matching
    // event). The taker's rest goes down by what was routed.
    template <class Wanted>
    void route(Taker& t, Wanted wanted, std::uint32_t mask);

    // REQ-LC-04 at arrival: a non-routable displayed cancel-back order whose
    // limit locks or crosses the protected BBO, and which cannot execute
    // locally first, is rejected rather than accepted and cancelled.
    // Decided against the book as it will be after the due re-pricing.
    bool would_cancel_back_untouched(const Command& c, Side side, TimeInForce tif) const;

    // REQ-LC-05: re-price the orders ranked away from their limits when the
    // protected BBO they were placed against moves, and look again at the
    // orders resting at their limits under a lock/cross exception (REQ-LC-01),
    // which slide, adjust or are cancelled back once it lapses. Orders are taken
    // in their original arrival order, so their priority among themselves is kept.
    void reprice_resting(Timestamp ts);

    void reprice_one(const RepricedOrder& r, Price bound, Timestamp ts);

    // What re-pricing does to one tracked order against `bound`, given the
    // best price of its contra side (0: none): a pure decision, applied by
    // reprice_one and previewed by best_ranked_after_sync.
    struct RepriceStep {
        enum class What : std::uint8_t { Stay, Move, Cancel } what;
        Placement pl;        // where it ranks (Stay/Move)
        bool keep_priority;  // Move: at the new price by its old time
        bool watched;        // at its limit, under a lock/cross exception
    };
    RepriceStep next_step(const Order& o, const RepricedOrder& r, Price bound, Price contra_best) const noexcept;

    // The best price `side` is ranked at once the re-pricing due now (a
    // self-help boundary passed, a configuration change) is done, computed
    // without doing it: refusals are decided on it, and change nothing.
    Price best_ranked_after_sync(Side side) const;
    Price best_ranked_after_reprice(Side side, Price contra_best) const;

    // Whether the re-pricing due now will cancel this watched order back.
    bool cancelled_by_due_reprice(std::uint32_t slot) const noexcept;

    // How an order of this kind is placed when it would lock or cross.
    static RepriceKind reprice_kind(bool hidden, LockCrossMode mode, bool post_only) noexcept {
        if (hidden) return RepriceKind::HiddenAtLock;  // REQ-OH-02, whatever the mode
        if (post_only || mode == LockCrossMode::PriceAdjust) return RepriceKind::Adjust;  // REQ-LC-06
        if (mode == LockCrossMode::CancelBack) return RepriceKind::CancelBack;
        return RepriceKind::Slide;
    }

    // REQ-LC-01(a)/(b): ranked at `rank`, an order on `side` locks or crosses an
    // automated away quote that the lock/cross test leaves out for now (its
    // venue is under self-help, or the protected market is crossed).
    bool under_lock_exception(Side side, Price rank) const noexcept;

    // A price the engine derives never locks or crosses our own contra side:
    // a fill there may be blocked (it would trade through), so resting there
    // would lock the book against itself. Such a placement is capped one tick
    // less aggressive than our best contra price (`contra_best`, 0: none), and
    // stays re-priced.
    Placement clear_of_own_book(Side side, Placement pl, Price contra_best) const noexcept;
    Placement clear_of_own_book(Side side, Placement pl) const noexcept {
        const PriceLadder& contra = ladder(opposite(side));
        return clear_of_own_book(side, pl, contra.empty() ? 0 : contra.best_price());
    }

    const RepricedOrder* find_repriced(std::uint32_t slot) const noexcept;

    void forget_repriced(std::uint32_t slot);

    void rename_repriced(std::uint32_t slot, OrderId from, OrderId to);

    // The limit the owner gave (a re-priced order ranks elsewhere).
    Price limit_of(std::uint32_t slot) const noexcept;

    Price display_price(const Order& o) const noexcept;

    Reason self_help_check(Timestamp ts, int venue) const noexcept;

    void reject_self_help(Timestamp ts, int venue, Reason r);

    void update_quote_one(const QuoteUpdate& q);
    void declare_self_help_one(Timestamp ts, int venue, Timestamp start, Timestamp end);
    void revoke_self_help_one(Timestamp ts, int venue, Timestamp at);

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

    Event& reject_event(Timestamp ts, OrderId id, std::uint8_t side, Price price, Quantity qty, Reason why) {
        Event& e = events_.append();
        e.seq = ++seq_;
        e.ts = ts;
        e.type = static_cast<std::uint8_t>(EventType::Rejected);
        e.order_id = id;
        e.side = side;
        e.price = price;
        e.quantity = qty;
        e.reason = static_cast<std::uint16_t>(why);
        return e;
    }

    void reject(Timestamp ts, OrderId id, std::uint8_t side, Price price, Quantity qty, Reason why) {
        reject_event(ts, id, side, price, qty, why);
    }

    void emit_replaced(Timestamp ts, OrderId id, OrderId new_id, Side side, Price price, Quantity qty,
                       std::uint8_t flags) {
        Event& e = emit(EventType::Replaced, ts, id, side);
        e.contra_id = new_id;
        e.price = price;
        e.quantity = e.leaves = qty;
        e.flags = flags;
    }

    OrderView view(std::uint32_t slot) const noexcept {
        const Order& o = pool_[slot];
        OrderView v{};
        v.order_id = o.id;
        v.ts = o.ts;
        v.price = o.price;
        v.display_price = display_price(o);
        v.limit_price = limit_of(slot);
        v.leaves = o.leaves();
        v.displayed = o.hidden() ? 0 : o.shown;
        v.reserve = o.reserve;
        v.filled = o.filled;
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

    TickRegime regime_;
    PriceLadder bids_{Side::Buy};
    PriceLadder asks_{Side::Sell};
    OrderPool pool_;
    OrderIndex index_;
    EventBuffer events_;
    std::uint64_t seq_ = 0;
    Timestamp last_ts_ = std::numeric_limits<Timestamp>::min();
    std::vector<std::uint32_t> scratch_;
    bool in_command_ = false;  // a command is running; still true after one failed part way
    std::unique_ptr<RegNmsState> nms_;
    TradeThroughDecision level_decision_;  // the decision for the level being matched
};

}  // namespace engine

// Member definitions kept in their own headers, one concept each.
#include "book_feed.hpp"     // NOLINT(build/include_order)
#include "book_reg_nms.hpp"  // NOLINT(build/include_order)
