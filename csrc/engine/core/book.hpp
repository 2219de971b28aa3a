// A limit order book for one symbol: price / display / time priority matching.
//
// Every operation appends what happened to the book's EventBuffer; a refused
// command appends one Rejected event and leaves the book exactly as it was.
//
// The Book knows nothing of other venues. A compliance layer (the Reg NMS
// Venue, regnms/venue.hpp) plugs into its order handling through the points
// NoCompliance lists: who counts as live, the refusals that depend on the
// book, a gate on each price level before its fills are committed, what each
// fill carries, where the rest of an order goes, and what happens after it
// rests. A plain book's NoCompliance does nothing and its calls inline away,
// so it pays nothing for them.
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
#include <cstdint>
#include <cstring>
#include <vector>

#include "book_state.hpp"
#include "event_buffer.hpp"
#include "price.hpp"
#include "records.hpp"
#include "types.hpp"

namespace engine {

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
    bool market;
    bool hidden;
    bool stopped;  // cancelled by self-trade prevention
    // Set by a compliance layer for the price level being matched (allow_level):
    // the code the fills there carry (Event::compliance_code; 0 in a plain
    // book), and whether it wants before_fill called for each of them. Kept
    // here, beside the taker, because each fill reads them.
    bool notify_fills;
    std::uint16_t fill_code;
    bool routable() const noexcept { return (flags & kFlagRoutable) && !(flags & kFlagIso); }
};

// The points a compliance layer plugs into, with a plain book's answers. A
// layer passes an object with the same members to the *_with commands.
struct NoCompliance {
    // ---- before a command is accepted (a refusal must change nothing)
    // The slot of a live order with this id as of ts (kNotFound if none).
    std::uint32_t live(const BookState& b, OrderId id, Timestamp) const noexcept { return b.find_slot(id); }
    // A market order may go on with no contra side here (it can be routed).
    bool needs_no_liquidity(const Command&) const noexcept { return false; }
    // Before the refusals that read the book of a new order / of a replace.
    void prepare_new(const Command&) noexcept {}
    void prepare_replace(Timestamp) noexcept {}
    // The best contra price a post-only order must stay clear of, and a bound
    // outside the book it must stay clear of too (0: none).
    Price contra_best(const BookState& b, Side contra) const noexcept { return b.best_ranked_price(contra); }
    Price away_bound(Side) const noexcept { return 0; }
    // A new order to refuse untouched, before it is accepted (lock/cross).
    bool refuse_untouched(const BookState&, const Command&, Side, TimeInForce) const noexcept { return false; }
    LockCrossMode lock_mode(std::uint8_t mode) const noexcept {
        return mode ? static_cast<LockCrossMode>(mode) : LockCrossMode::Slide;
    }
    // The limit its owner gave a resting order (a layer may rank it elsewhere).
    Price limit_of(const BookState& b, std::uint32_t slot) const noexcept { return b.order(slot).price; }

    // ---- once accepted
    void catch_up(Timestamp) noexcept {}  // a command was accepted at this time: work that is due
    void count_command() noexcept {}      // a new order or a replace (not a cancel) begins
    void renamed(std::uint32_t, OrderId, OrderId) noexcept {}

    // ---- matching
    void begin_match(const Taker&) noexcept {}
    // Whether fills at price p may be committed (front: the level's first order).
    bool allow_level(Taker&, Price, std::uint32_t) noexcept { return true; }
    // Why a FOK that needs `need` more shares from level p is stopped there,
    // reported by the layer (Reason::None: it may go on).
    Reason fok_stop(const Taker&, Price, std::uint32_t, Quantity) noexcept { return Reason::None; }
    void before_fill(const Taker&, const Order&) noexcept {}
    void stamp_fill(Event&, const Order&, std::uint32_t) const noexcept {}

    // ---- the rest of an order
    void route_rest(Taker&, TimeInForce) noexcept {}
    Reason rest_cancel_reason(const Taker&) const noexcept { return Reason::IocRemainder; }
    // Where the rest goes; false to cancel it instead (with *why).
    bool place_rest(const BookState&, const Taker&, Price rest_price, const RestingAttributes&, Placement* pl,
                    Reason*) noexcept {
        pl->rank = rest_price;
        return true;
    }
    void after_rest(const Taker&, std::uint32_t, const Placement&, Price) noexcept {}
};

class Book : public BookState {
    friend struct SnapshotAccess;  // snapshot.hpp saves and restores the whole state

public:
    explicit Book(TickRegime regime = TickRegime::Penny2005) : BookState(regime) {}
    Book(Book&&) = default;

    // Pre-size for `orders` resting orders and as many pending events, and
    // touch that memory, so that a venue's hot path never grows a structure or
    // takes a page fault (call at start-up). Each structure grows all or
    // nothing: after std::bad_alloc the book is as it was.
    void reserve(std::size_t orders) {
        pool_.reserve(orders);
        index_.reserve(orders);
        events_.prefault(orders);
    }

    // True once a command ran out of memory part way: the state is not trusted.
    bool failed() const noexcept { return in_command_; }

    // ---------------------------------------------------------------- commands
    void execute(const Command& c) { execute_with(c, plain_); }
    void execute_batch(const Command* commands, std::size_t n) { execute_batch_with(commands, n, plain_); }
    // A new order (Command::action is not looked at).
    void submit(const Command& c) { submit_with(c, plain_); }
    void cancel(Timestamp ts, OrderId id) { cancel_with(ts, id, plain_); }
    // Cancel `quantity` shares of a resting order, keeping its time priority.
    // The reserve is reduced first, so the displayed size changes last.
    void reduce(Timestamp ts, OrderId id, Quantity quantity) { reduce_with(ts, id, quantity, plain_); }
    // Change a resting order's limit price and/or size (and optionally its id).
    // `quantity` is the new total left to execute. The order keeps its time
    // priority when the limit is unchanged and the size does not grow;
    // otherwise it is re-entered with the new time and may execute at once.
    void replace(Timestamp ts, OrderId id, OrderId new_id, Price price, Quantity quantity) {
        replace_with(ts, id, new_id, price, quantity, plain_);
    }
    // Expire every resting order whose time in force is `tif` (DAY at the end
    // of the day; GTC when a venue clears its book), in priority order.
    void expire(Timestamp ts, TimeInForce tif) {
        run(kNeedEvents, [&] { expire_all(ts, tif); });
    }

    // The same commands under a compliance layer (see NoCompliance).
    template <class C>
    void execute_with(const Command& c, C& comp) {
        run(needs_of(c), [&] { execute_one(c, comp); });
    }

    // Each command is copied before it is looked at: the caller's array may
    // change under a batch (another thread), and a command must be validated
    // and applied from the same bytes.
    template <class C>
    void execute_batch_with(const Command* commands, std::size_t n, C& comp) {
        for (std::size_t i = 0; i < n; ++i) {
            Command c;
            std::memcpy(&c, commands + i, sizeof c);
            asm volatile("" : : "r"(&c) : "memory");  // read c from here on, never again from commands[i]
            run(needs_of(c), [&] { execute_one(c, comp); });
        }
    }
    template <class C>
    void submit_with(const Command& c, C& comp) {
        run(kNeedOrder, [&] { submit_one(c, comp); });
    }
    template <class C>
    void cancel_with(Timestamp ts, OrderId id, C& comp) {
        run(kNeedEvents, [&] { cancel_one(ts, id, comp); });
    }
    template <class C>
    void reduce_with(Timestamp ts, OrderId id, Quantity quantity, C& comp) {
        run(kNeedEvents, [&] { reduce_one(ts, id, quantity, comp); });
    }
    template <class C>
    void replace_with(Timestamp ts, OrderId id, OrderId new_id, Price price, Quantity quantity, C& comp) {
        run(kNeedOrder, [&] { replace_one(ts, id, new_id, price, quantity, comp); });
    }

    // Run one command: room for what it needs first (nothing changed if that
    // fails), then the command, marked as running so that running out of
    // memory part way leaves the book failed(). The mark is a flag set before
    // and cleared after (a try/catch around the inlined body measured about
    // 10 ns a call from Python).
    enum Needs : unsigned {
        kNeedEvents = 1,  // a command that emits events
        kNeedOrder = 3,   // one that may also rest an order: a pool slot, an index slot, a level
    };
    template <class Body>
    void run(Needs needs, Body&& body) {
        events_.reserve_more(kEventHeadroom);
        if (needs == kNeedOrder) make_room_for_an_order();
        in_command_ = true;
        body();
        in_command_ = false;
    }

    // ----------------------------------------------------------------- events
    EventBuffer& events() noexcept { return events_; }
    const EventBuffer& events() const noexcept { return events_; }
    std::uint64_t last_sequence() const noexcept { return seq_; }

    [[gnu::always_inline]] Event& emit(EventType type, Timestamp ts, OrderId id, Side side) {
        Event& e = events_.append();
        e.seq = ++seq_;
        e.ts = ts;
        e.type = static_cast<std::uint8_t>(type);
        e.order_id = id;
        e.side = static_cast<std::uint8_t>(side);
        return e;
    }

    Event& reject(Timestamp ts, OrderId id, std::uint8_t side, Price price, Quantity qty, Reason why) {
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

    // Bytes held by the book's own structures (not the pending events).
    std::size_t memory_bytes() const noexcept {
        return BookState::memory_bytes() + (sizeof(Book) - sizeof(BookState)) + scratch_.capacity() * 4;
    }

    // ------------------------------------------- primitives for a compliance layer
    // Remove a resting order entirely, reporting why. Inside match() the level
    // being walked must stay allocated, so the caller removes it (keep_level).
    void remove_resting(std::uint32_t slot, Timestamp ts, EventType type, Reason why, bool keep_level = false) {
        const Order& o = pool_[slot];
        Event& e = emit(type, ts, o.id, o.side);
        e.price = o.price;
        e.quantity = o.leaves();
        e.reason = static_cast<std::uint16_t>(why);
        detach(slot, keep_level);
    }

    // Cancel what an incoming order has left.
    void cancel_taker(Taker& t, Reason why) {
        Event& e = emit(EventType::Cancelled, t.ts, t.id, t.side);
        e.price = t.limit;
        e.quantity = t.remaining;
        e.reason = static_cast<std::uint16_t>(why);
        t.remaining = 0;
        t.stopped = true;
    }

private:
    static constexpr std::size_t kEventHeadroom = 64;

    static Needs needs_of(const Command& c) noexcept {
        const auto a = static_cast<Action>(c.action);
        return a == Action::New || a == Action::Replace ? kNeedOrder : kNeedEvents;
    }

    static std::uint8_t sidev(const Order& o) noexcept { return static_cast<std::uint8_t>(o.side); }

    template <class C>
    void execute_one(const Command& c, C& comp) {
        switch (static_cast<Action>(c.action)) {
            case Action::New: submit_one(c, comp); return;
            case Action::Cancel: cancel_one(c.ts, c.order_id, comp); return;
            case Action::Replace: replace_one(c.ts, c.order_id, c.new_order_id, c.price, c.quantity, comp); return;
            case Action::Reduce: reduce_one(c.ts, c.order_id, c.quantity, comp); return;
            case Action::Expire: expire_all(c.ts, static_cast<TimeInForce>(c.tif)); return;
        }
        reject(c.ts, c.order_id, c.side, c.price, c.quantity, Reason::InvalidAction);
    }

    template <class C>
    void submit_one(const Command& c, C& comp) {
        const Reason invalid = validate_new(c, comp);
        if (invalid != Reason::None) {
            reject(c.ts, c.order_id, c.side, c.price, c.quantity, invalid);
            return;
        }
        const Side side = static_cast<Side>(c.side);
        const bool market = static_cast<OrderType>(c.order_type) == OrderType::Market;
        const PostOnly post_only = static_cast<PostOnly>(c.post_only);
        const auto tif = static_cast<TimeInForce>(c.tif);
        PriceLadder& contra = ladder(opposite(side));

        // A refusal changes nothing: the compliance layer decides the refusals
        // below against the book as it will be once the work due at c.ts is
        // done, without doing it yet.
        if (market && contra.empty() && !comp.needs_no_liquidity(c)) {
            reject(c.ts, c.order_id, c.side, c.price, c.quantity, Reason::NoLiquidity);
            return;
        }
        comp.prepare_new(c);
        Price rest_price = c.price;
        if (post_only != PostOnly::None) {
            const Reason r = post_only_price(side, post_only, c.price, comp.contra_best(*this, opposite(side)),
                                             comp.away_bound(side), &rest_price);
            if (r != Reason::None) {
                reject(c.ts, c.order_id, c.side, c.price, c.quantity, r);
                return;
            }
        }
        if (comp.refuse_untouched(*this, c, side, tif)) {
            reject(c.ts, c.order_id, c.side, c.price, c.quantity, Reason::WouldLockCross);
            return;
        }

        last_ts_ = c.ts;  // only commands that are not rejected move the clock
        comp.catch_up(c.ts);
        comp.count_command();
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
        comp.begin_match(t);

        if (rest_price != c.price) {
            Event& rp = emit(EventType::Repriced, c.ts, c.order_id, side);
            rp.price = rp.aux = rest_price;
            rp.leaves = c.quantity;
            rp.reason = static_cast<std::uint16_t>(Reason::PostOnlyRepriced);
        } else if (post_only == PostOnly::None) {
            if (tif == TimeInForce::Fok) {
                const Reason unfillable = fok_refusal(t, comp);
                if (unfillable != Reason::None) {
                    cancel_taker(t, unfillable);
                    return;
                }
            }
            match(t, comp);
        }
        const RestingAttributes attrs{c.display_quantity, post_only, comp.lock_mode(c.lock_cross)};
        finish_taker(t, tif, rest_price, attrs, comp);
    }

    template <class C>
    void cancel_one(Timestamp ts, OrderId id, C& comp) {
        if (ts < last_ts_) return void(reject(ts, id, 0, 0, 0, Reason::TimestampRegression));
        const std::uint32_t slot = comp.live(*this, id, ts);
        if (slot == OrderIndex::kNotFound) return void(reject(ts, id, 0, 0, 0, Reason::UnknownOrderId));
        last_ts_ = ts;
        comp.catch_up(ts);
        remove_resting(slot, ts, EventType::Cancelled, Reason::UserCancel);
    }

    template <class C>
    void reduce_one(Timestamp ts, OrderId id, Quantity quantity, C& comp) {
        if (ts < last_ts_) return void(reject(ts, id, 0, 0, quantity, Reason::TimestampRegression));
        const std::uint32_t slot = comp.live(*this, id, ts);
        if (slot == OrderIndex::kNotFound) return void(reject(ts, id, 0, 0, quantity, Reason::UnknownOrderId));
        const Order& o = pool_[slot];
        if (quantity <= 0) return void(reject(ts, id, sidev(o), o.price, quantity, Reason::InvalidQuantity));
        if (quantity > o.leaves())
            return void(reject(ts, id, sidev(o), o.price, quantity, Reason::QuantityExceedsLeaves));
        last_ts_ = ts;
        comp.catch_up(ts);
        if (quantity == o.leaves()) {
            remove_resting(slot, ts, EventType::Cancelled, Reason::UserCancel);
            return;
        }
        shrink(slot, static_cast<std::uint32_t>(quantity));
        Event& e = emit(EventType::Reduced, ts, id, o.side);
        e.price = o.price;
        e.quantity = quantity;
        e.leaves = o.leaves();
        e.reason = static_cast<std::uint16_t>(Reason::UserCancel);
        e.flags = kEventPriorityKept;
    }

    template <class C>
    void replace_one(Timestamp ts, OrderId id, OrderId new_id, Price price, Quantity quantity, C& comp) {
        if (ts < last_ts_) return void(reject(ts, id, 0, price, quantity, Reason::TimestampRegression));
        const std::uint32_t slot = comp.live(*this, id, ts);
        if (slot == OrderIndex::kNotFound) return void(reject(ts, id, 0, price, quantity, Reason::UnknownOrderId));
        const Order& o = pool_[slot];
        const std::uint8_t sv = sidev(o);
        if (new_id == 0) new_id = id;
        if (new_id != id && comp.live(*this, new_id, ts) != OrderIndex::kNotFound)
            return void(reject(ts, id, sv, price, quantity, Reason::DuplicateOrderId));
        Reason r = validate_quantity(quantity);
        if (r == Reason::None) r = validate_limit_price(price);
        if (r != Reason::None) return void(reject(ts, id, sv, price, quantity, r));
        comp.prepare_replace(ts);
        const Price limit = comp.limit_of(*this, slot);
        const bool keep_priority = price == limit && quantity <= o.leaves();
        Price rest_price = price;
        if (!keep_priority && o.post_only() != PostOnly::None) {
            // decided as the book will be after the due work (see submit)
            r = post_only_price(o.side, o.post_only(), price, comp.contra_best(*this, opposite(o.side)),
                                comp.away_bound(o.side), &rest_price);
            if (r != Reason::None) return void(reject(ts, id, sv, price, quantity, r));
        }
        last_ts_ = ts;
        comp.catch_up(ts);
        comp.count_command();

        if (keep_priority) {
            const std::uint32_t cut = o.leaves() - static_cast<std::uint32_t>(quantity);
            if (cut) shrink(slot, cut);
            if (new_id != id) {
                rename(slot, id, new_id);
                comp.renamed(slot, id, new_id);
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
        t.flags = old.flags & kOrderInstructionBits;
        t.hidden = old.hidden();
        comp.begin_match(t);
        if (rest_price != price) {
            Event& rp = emit(EventType::Repriced, ts, new_id, old.side);
            rp.price = rp.aux = rest_price;
            rp.leaves = quantity;
            rp.reason = static_cast<std::uint16_t>(Reason::PostOnlyRepriced);
        } else if (old.post_only() == PostOnly::None) {
            match(t, comp);
        }
        const RestingAttributes attrs{old.peak, old.post_only(), old.lock_mode()};
        finish_taker(t, old.tif, rest_price, attrs, comp);
    }

    void expire_all(Timestamp ts, TimeInForce tif) {
        if (ts < last_ts_) return void(reject(ts, 0, 0, 0, 0, Reason::TimestampRegression));
        if (tif != TimeInForce::Day && tif != TimeInForce::Gtc)
            return void(reject(ts, 0, 0, 0, 0, Reason::InvalidTimeInForce));
        scratch_.clear();
        for_each_resting([&](std::uint32_t s) {
            if (pool_[s].tif == tif) scratch_.push_back(s);
            return true;
        });
        events_.reserve_more(scratch_.size());  // before anything changes
        last_ts_ = ts;
        for (std::uint32_t s : scratch_) remove_resting(s, ts, EventType::Expired, Reason::EndOfDay);
    }

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

    template <class C>
    Reason validate_new(const Command& c, const C& comp) const noexcept {
        if (c.ts < last_ts_) return Reason::TimestampRegression;
        if (c.order_id == 0) return Reason::InvalidOrderId;
        if (comp.live(*this, c.order_id, c.ts) != OrderIndex::kNotFound) return Reason::DuplicateOrderId;
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

    // Where a post-only order may rest without removing liquidity. Re-pricing
    // looks at the best contra *ranked* price, hidden interest included, so a
    // post-only order never executes and the book never locks; it also stays
    // clear of `away` (the compliance layer's bound: the protected BBO,
    // REQ-LC-06, PRICE_ADJUST semantics). `contra_best` is 0 when there is none.
    Reason post_only_price(Side side, PostOnly mode, Price limit, Price contra_best, Price away,
                           Price* rest) const noexcept {
        *rest = limit;
        Price bound = contra_best;
        if (away > 0 && (bound == 0 || crosses(side, bound, away))) bound = away;
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

    // Why a FOK order cannot fill completely right now (Reason::None: it can).
    // With self-trade prevention on, meeting one's own order at any level the
    // FOK needs makes it not fillable (only CancelOldest clears such orders out
    // of the way). A level the compliance layer stops it at stops it, with the
    // layer's reason: FOK orders are never routed.
    template <class C>
    Reason fok_refusal(const Taker& t, C& comp) {
        const PriceLadder& contra = ladder(opposite(t.side));
        std::uint64_t need = t.remaining;
        const bool stp = t.stp != StpMode::None && t.participant != 0;
        Reason verdict = Reason::FokNotFillable;  // unless enough is found
        contra.for_each_level([&](std::uint32_t ls) {
            const Level& lv = contra.level(ls);
            if (!t.market && !crosses(t.side, t.limit, lv.price)) return false;
            if (const Reason r = comp.fok_stop(t, lv.price, lv.front(), static_cast<Quantity>(need)); r != Reason::None)
                return verdict = r, false;
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
            if (available >= need) return verdict = Reason::None, false;
            need -= available;
            return true;
        });
        return verdict;
    }

    // ---------------------------------------------------------------- matching
    template <class C>
    void match(Taker& t, C& comp) {
        PriceLadder& contra = ladder(opposite(t.side));
        while (t.remaining > 0 && !contra.empty()) {
            const std::uint32_t ls = contra.best_level();
            const Price p = contra.level(ls).price;
            if (!t.market && !crosses(t.side, t.limit, p)) break;
            if (!comp.allow_level(t, p, contra.level(ls).front())) break;
            while (t.remaining > 0) {
                const std::uint32_t ms = contra.level(ls).front();
                if (ms == kNil) break;
                if (self_match(t, pool_[ms])) {
                    prevent_self_trade(t, ms);
                } else {
                    fill(t, ms, ls, contra, comp);
                }
            }
            if (contra.level(ls).empty()) contra.remove_level(ls);
        }
    }

    template <class C>
    [[gnu::always_inline]] void fill(Taker& t, std::uint32_t ms, std::uint32_t ls, PriceLadder& contra, C& comp) {
        Order& m = pool_[ms];
        const std::uint32_t q = std::min(t.remaining, m.shown);
        m.shown -= q;
        m.filled += q;
        t.remaining -= q;
        t.filled += q;
        contra.adjust(m, -static_cast<std::int64_t>(q), -static_cast<std::int64_t>(q));

        if (t.notify_fills) comp.before_fill(t, m);
        Event& e = emit(EventType::Fill, t.ts, t.id, t.side);
        e.contra_id = m.id;
        e.price = m.price;
        e.quantity = q;
        e.leaves = t.remaining;
        e.contra_leaves = m.leaves();
        e.liquidity = static_cast<std::uint8_t>(m.hidden() ? Liquidity::MakerHidden : Liquidity::MakerDisplayed);
        e.flags = static_cast<std::uint8_t>((t.hidden ? kEventTakerHidden : 0) | ((t.flags & kFlagIso) ? kEventIso : 0));
        e.compliance_code = t.fill_code;
        comp.stamp_fill(e, m, q);

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
                    shrink(ms, d);
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

    // After matching: the compliance layer may send the rest elsewhere; an
    // immediate order's rest is cancelled; a resting one rests where the
    // layer places it (or is cancelled when it cannot rest anywhere).
    template <class C>
    void finish_taker(Taker& t, TimeInForce tif, Price rest_price, const RestingAttributes& attrs, C& comp) {
        if (t.remaining == 0 || t.stopped) return;
        const bool immediate = t.market || tif == TimeInForce::Ioc || tif == TimeInForce::Fok;
        comp.route_rest(t, tif);
        if (t.remaining == 0) return;
        if (immediate) {
            cancel_taker(t, comp.rest_cancel_reason(t));
            return;
        }
        Placement pl{rest_price};
        Reason why = Reason::None;
        if (!comp.place_rest(*this, t, rest_price, attrs, &pl, &why)) {
            cancel_taker(t, why);
            return;
        }
        const auto peak = static_cast<std::uint32_t>(attrs.display_quantity);
        const std::uint32_t shown = (peak > 0 && !t.hidden) ? std::min(peak, t.remaining) : t.remaining;
        // A resting order keeps only its standing instructions: attestations
        // and the ISO mark attach to its arrival (REQ-ISOIN-03).
        const std::uint16_t flags = order_flags(t.flags, t.stp, attrs.post_only, attrs.lock_cross);
        const std::uint32_t slot =
            rest(t.id, t.ts, t.side, tif, shown, t.remaining - shown, peak, t.filled, t.participant, flags, pl);
        comp.after_rest(t, slot, pl, rest_price);
    }

    void emit_replaced(Timestamp ts, OrderId id, OrderId new_id, Side side, Price price, Quantity qty,
                       std::uint8_t flags) {
        Event& e = emit(EventType::Replaced, ts, id, side);
        e.contra_id = new_id;
        e.price = price;
        e.quantity = e.leaves = qty;
        e.flags = flags;
    }

    EventBuffer events_;
    std::uint64_t seq_ = 0;
    std::vector<std::uint32_t> scratch_;
    bool in_command_ = false;  // a command is running; still true after one failed part way
    NoCompliance plain_;
};

}  // namespace engine
