// A trading venue under Regulation NMS: a Book, and a table of other venues'
// protected quotations fed from outside, with everything the regulation asks
// of a venue that matches orders and displays them.
//
// - Rule 611 in the hot path: before the fills at each price level are
//   committed the Venue checks the price against the table (two comparisons
//   when the print trades through nothing, REQ-TT-03; the exceptions when it
//   would, trade_through.hpp). A routable order sweeps what is in the way with
//   intermarket sweep orders (REQ-ISOOUT-01, REQ-EXC-06); anything else is
//   stopped with a Blocked event naming the venues (D7, REQ-AUD-01). An allowed
//   fill that traded through a quote is preceded by a TradeThrough audit event
//   per quote, and every fill carries the code that allowed it (D15).
// - Rule 610(e): a displayed order never locks or crosses a protected quote. It
//   slides, adjusts or is cancelled back by its mode (placement.hpp, REQ-LC-02..04)
//   and is re-priced as the protected BBO moves (REQ-LC-05); one shown at its
//   limit under an exception (self-help, a crossed market, REQ-LC-01) is
//   re-placed when the exception lapses.
// - Rule 610(c) access fees on every fill (fees.hpp), sessions (D4), self-help
//   (REQ-SH), the one-second look-back (REQ-PQ-07).
//
// It plugs into the Book's order handling at the points core/book.hpp lists
// (struct Hooks below); the Book itself knows none of this.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../core/book.hpp"
#include "fees.hpp"
#include "placement.hpp"
#include "protected_quotes.hpp"
#include "tracked_orders.hpp"
#include "trade_through.hpp"

namespace engine {

class Venue {
    friend struct SnapshotAccess;

public:
    // `venues`: the away venues' names (at most kMaxVenues; quotes and
    // self-help name them by index). A venue starts in regular trading hours
    // unless told otherwise; sessions then change only by control calls (D4).
    explicit Venue(TickRegime regime = TickRegime::Penny2005, std::vector<std::string> venues = {},
                   bool regular_hours = true)
        : Venue(Book(regime), std::move(venues), regular_hours) {}

    // A Venue over a book that already holds orders (a snapshot being loaded).
    Venue(Book&& book, std::vector<std::string> venues, bool regular_hours)
        : book_(std::move(book)), names_(std::move(venues)), in_rth_(regular_hours) {
        if (names_.size() > static_cast<std::size_t>(kMaxVenues)) names_.resize(kMaxVenues);
        table_.set_regime(book_.tick_regime());
        table_.set_venue_count(static_cast<int>(names_.size()));
    }
    Venue(const Venue&) = delete;
    Venue& operator=(const Venue&) = delete;

    // Pre-size for `orders` resting orders: the Book's structures and the
    // table of orders placed against the protected quotes.
    void reserve(std::size_t orders) {
        book_.reserve(orders);
        tracked_.reserve(orders);
        if (scratch_.capacity() < orders) scratch_.reserve(orders);  // re-pricing swaps it with a tracked list
    }

    Book& book() noexcept { return book_; }
    const Book& book() const noexcept { return book_; }
    const std::vector<std::string>& venue_names() const noexcept { return names_; }
    bool failed() const noexcept { return book_.failed(); }

    // ---------------------------------------------------------------- commands
    // The Book's commands, with the Rule 611 / 610(e) handling.
    void execute(const Command& c) { book_.execute_with(c, hooks_); }
    void execute_batch(const Command* commands, std::size_t n) { book_.execute_batch_with(commands, n, hooks_); }
    void submit(const Command& c) { book_.submit_with(c, hooks_); }
    void cancel(Timestamp ts, OrderId id) { book_.cancel_with(ts, id, hooks_); }
    void reduce(Timestamp ts, OrderId id, Quantity quantity) { book_.reduce_with(ts, id, quantity, hooks_); }
    void replace(Timestamp ts, OrderId id, OrderId new_id, Price price, Quantity quantity) {
        book_.replace_with(ts, id, new_id, price, quantity, hooks_);
    }
    void expire(Timestamp ts, TimeInForce tif) { book_.expire(ts, tif); }

    // ------------------------------------------------------------------ inputs
    // One away venue's new best bid and offer (REQ-PQ-01). Resting orders
    // placed against the protected BBO re-price if it moved.
    void update_quote(const QuoteUpdate& q) {
        book_.run(Book::kNeedEvents, [&] { update_quote_one(q); });
    }

    // Each update is copied before it is looked at (the caller's array may
    // change under the call, from another thread).
    void update_quotes(const QuoteUpdate* quotes, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            QuoteUpdate q;
            std::memcpy(&q, quotes + i, sizeof q);
            asm volatile("" : : "r"(&q) : "memory");
            book_.run(Book::kNeedEvents, [&] { update_quote_one(q); });
        }
    }

    // Start or end of regular trading hours (D4).
    void set_session(Timestamp ts, bool regular_hours) {
        book_.run(Book::kNeedEvents, [&] {
            if (ts < book_.last_timestamp()) return void(book_.reject(ts, 0, 0, 0, 0, Reason::TimestampRegression));
            book_.set_clock(ts);
            in_rth_ = regular_hours;
            Event& e = book_.emit(EventType::Session, ts, 0, Side::Buy);
            e.side = 0;
            e.reason = static_cast<std::uint16_t>(regular_hours ? Reason::RthStart : Reason::RthEnd);
        });
    }

    // Self-help against `venue` over [start, end) (REQ-SH-01); end = kNever
    // while open. Refused: unknown venue, empty interval, or an overlap.
    void declare_self_help(Timestamp ts, int venue, Timestamp start, Timestamp end) {
        book_.run(Book::kNeedEvents, [&] {
            const Reason r = self_help_check(ts, venue);
            if (r != Reason::None) return reject_self_help(ts, venue, r);
            if (!table_.declare_self_help(venue, start, end)) return reject_self_help(ts, venue, Reason::InvalidSelfHelp);
            book_.set_clock(ts);
            catch_up(ts);
        });
    }

    // End the open self-help declaration against `venue` at `at`.
    void revoke_self_help(Timestamp ts, int venue, Timestamp at) {
        book_.run(Book::kNeedEvents, [&] {
            const Reason r = self_help_check(ts, venue);
            if (r != Reason::None) return reject_self_help(ts, venue, r);
            if (!table_.revoke_self_help(venue, at)) return reject_self_help(ts, venue, Reason::InvalidSelfHelp);
            book_.set_clock(ts);
            catch_up(ts);
        });
    }

    // Change settings: all of `change` is checked, then all applied (orders
    // placed against the protected BBO are re-placed at the next command).
    // Returns the name of the field that is not valid (and changes nothing), or
    // nullptr. With `apply` false it only checks.
    const char* configure(const ConfigChange& c, bool apply = true) {
        if (const char* bad = config_violation(c)) return bad;
        if (!apply) return nullptr;
        if (c.set & ConfigChange::kRule611) config_.rule611_enabled = c.rule611_enabled;
        if (c.set & ConfigChange::kEnforceOutsideRth) config_.enforce_outside_rth = c.enforce_outside_rth;
        if (c.set & ConfigChange::kSubpennyExemption) config_.subpenny_exemption = c.subpenny_exemption;
        if (c.set & ConfigChange::kLockCrossProtection) config_.lock_cross_enabled = c.lock_cross_enabled;
        if (c.set & ConfigChange::kDefaultLockCross)
            config_.default_lock_cross = static_cast<LockCrossMode>(c.default_lock_cross);
        if (c.set & ConfigChange::kFlickerWindow) table_.set_flicker_window(c.flicker_window);
        reprice_maybe_due_ = true;
        return nullptr;
    }

    // Load a fee schedule; returns the field outside the regime's cap (and
    // loads nothing), or nullptr.
    const char* set_fee_schedule(const FeeSchedule& s, FeeCapRegime regime) {
        if (!is_known_fee_regime(static_cast<std::uint8_t>(regime))) return "regime";
        if (const char* bad = fee_cap_violation(s, regime)) return bad;
        fees_ = s;
        fee_regime_ = regime;
        fees_loaded_ = s.take_fee_nd || s.take_rate_ppm || s.make_rebate_nd || s.make_rate_ppm;
        return nullptr;
    }

    // ----------------------------------------------------------------- queries
    // The Rule 611 decision for a print at p by an order on `side` with
    // `flags`, at time t, against the table as it will stand at t: a query for
    // surveillance (REQ-AUD-02) on a copy of the table (self-help and the
    // look-back brought up to t), which changes nothing. False (and *out left
    // alone) for t earlier than the book's clock.
    bool check_print(Price p, Timestamp t, Side side, std::uint32_t flags, TradeThroughDecision* out) const {
        if (t < book_.last_timestamp()) return false;
        ProtectedQuoteTable view = table_;
        view.refresh(t);
        *out = decide_trade_through(view, config_, p, t, side, flags, in_rth_, command_ + 1);
        return true;
    }

    // The protected best bid and offer as of t (self-help brought up to t),
    // changing nothing. False for t earlier than the clock.
    bool protected_bbo(Timestamp t, ProtectedBbo* out) const {
        if (t < book_.last_timestamp()) return false;
        ProtectedQuoteTable view = table_;
        view.refresh(t);
        *out = ProtectedBbo{view.pbb(), view.pbo(), view.pbb_venues(), view.pbo_venues(),
                            view.crossed(), view.locked(), view.version()};
        return true;
    }

    // An order as queries report it, with its own limit when the Venue ranks it elsewhere.
    bool find_order(OrderId id, OrderView* out) const noexcept {
        const std::uint32_t slot = book_.find_slot(id);
        if (slot == OrderIndex::kNotFound) return false;
        *out = view(slot);
        return true;
    }

    // Every resting order in priority order (see BookState::for_each_resting).
    std::size_t snapshot(OrderView* out, std::size_t capacity) const noexcept {
        std::size_t k = 0;
        book_.for_each_resting([&](std::uint32_t s) {
            if (k == capacity) return false;
            out[k++] = view(s);
            return true;
        });
        return k;
    }

    const ProtectedQuoteTable& table() const noexcept { return table_; }
    const TradeThroughConfig& config() const noexcept { return config_; }
    const FeeSchedule& fees() const noexcept { return fees_; }
    FeeCapRegime fee_regime() const noexcept { return fee_regime_; }
    bool in_regular_hours() const noexcept { return in_rth_; }

    std::size_t memory_bytes() const noexcept {
        return book_.memory_bytes() + (sizeof(Venue) - sizeof(Book)) + tracked_.memory_bytes();
    }

    // The book's integrity, and the Venue's own: every order it ranks away
    // from its limit or watches is tracked, once, with a sound limit and kind.
    const char* check_integrity() const {
        if (const char* why = book_.check_integrity(/*managed=*/true)) return why;
        std::size_t tracked_orders = 0;
        book_.for_each_resting([&](std::uint32_t s) {
            tracked_orders += book_.order(s).tracked();
            return true;
        });
        std::vector<bool> seen;
        std::size_t live = 0;
        const char* why = nullptr;
        for (Side side : {Side::Buy, Side::Sell}) {
            tracked_.for_each_live(book_, side, [&](const TrackedOrders::Entry& e, const TrackedOrders::Info& i) {
                const Order& o = book_.order(e.slot);
                if (seen.size() <= e.slot) seen.resize(std::size_t{e.slot} + 1);
                if (seen[e.slot]) why = "a re-priced order tracked twice";
                seen[e.slot] = true;
                ++live;
                if (o.side != side) why = "a re-priced entry for an order that is not re-priced";
                if (!is_known_reprice_kind(static_cast<std::uint8_t>(i.kind)) || !is_valid_price(i.limit, book_.tick_regime()))
                    why = "a re-priced entry with a bad kind or limit";
                if (o.watched() && i.limit != o.price) why = "a watched order away from its limit";
            });
        }
        if (why) return why;
        if (live != tracked_orders) return "re-priced order not tracked";
        return nullptr;
    }

private:
    // The points the Book calls (core/book.hpp, NoCompliance lists them).
    struct Hooks {
        Venue& v;
        std::uint32_t live(const BookState& b, OrderId id, Timestamp ts) const noexcept {
            return v.live(b, id, ts);
        }
        bool needs_no_liquidity(const Command& c) const noexcept { return (c.flags & kFlagRoutable) != 0; }
        void prepare_new(const Command& c) noexcept {
            // The refusals below read the self-help state at c.ts (a cache: refreshing it changes nothing observable).
            if (c.post_only != 0 || lock_mode(c.lock_cross) == LockCrossMode::CancelBack) v.table_.refresh(c.ts);
        }
        void prepare_replace(Timestamp ts) noexcept { v.table_.refresh(ts); }
        Price contra_best(const BookState&, Side contra) const { return v.best_ranked_after_catch_up(contra); }
        Price away_bound(Side side) const noexcept { return v.lock_bound(side); }
        bool refuse_untouched(const BookState&, const Command& c, Side side, TimeInForce tif) const {
            return v.refuse_untouched(c, side, tif);
        }
        LockCrossMode lock_mode(std::uint8_t m) const noexcept {
            const auto mode = static_cast<LockCrossMode>(m);
            return mode != LockCrossMode::Default ? mode : v.config_.default_lock_cross;
        }
        Price limit_of(const BookState& b, std::uint32_t slot) const noexcept { return v.limit_of(b, slot); }
        void catch_up(Timestamp ts) { v.catch_up(ts); }
        void count_command() noexcept { ++v.command_; }
        void renamed(std::uint32_t slot, OrderId, OrderId to) noexcept { v.tracked_.renamed(slot, to); }
        void begin_match(const Taker&) noexcept { v.blocked_ = false; }
        // The common case inline: the print trades through nothing (REQ-TT-03).
        bool allow_level(Taker& t, Price p, std::uint32_t front) {
            if (v.in_rth_ && v.config_.rule611_enabled && v.table_.inside_band(p)) [[likely]] {
                t.fill_code = static_cast<std::uint16_t>(ComplianceCode::NoTradeThrough);
                t.notify_fills = false;
                return true;
            }
            return v.clear_level(t, p, front);
        }
        Reason fok_stop(const Taker& t, Price p, std::uint32_t front, Quantity need) {
            TradeThroughDecision d;
            if (v.level_allowed(t, p, &d)) return Reason::None;
            v.emit_blocked(t, p, front, need, d);  // D15: who stopped it is reported, as for an IOC (REQ-AUD-01)
            return Reason::WouldTradeThrough;
        }
        // Called for the fills of a level that traded through quotes (clear_level set notify_fills).
        void before_fill(const Taker& t, const Order& maker) {
            v.audit_trade_through(t, maker.price, maker.id, v.level_decision_);  // REQ-AUD-01, per fill
        }
        void stamp_fill(Event& e, const Order& maker, std::uint32_t q) const noexcept {
            e.quote_version = v.table_.version();
            if (v.fees_loaded_) {
                e.fee = per_share_nd(maker.price, v.fees_.take_fee_nd, v.fees_.take_rate_ppm) * q;
                e.aux = per_share_nd(maker.price, v.fees_.make_rebate_nd, v.fees_.make_rate_ppm) * q;
            }
        }
        void route_rest(Taker& t, TimeInForce tif) {
            // away liquidity at or inside the limit (REQ-OH-01); FOK orders never route
            if (t.routable() && tif != TimeInForce::Fok) v.route_to_crossing_quotes(t);
        }
        Reason rest_cancel_reason(const Taker&) const noexcept {
            return v.blocked_ ? Reason::WouldTradeThrough : Reason::IocRemainder;
        }
        bool place_rest(const BookState& b, const Taker& t, Price rest_price, const RestingAttributes& a, Placement* pl,
                        Reason* why) {
            return v.place_rest(b, t, rest_price, a, pl, why);
        }
        void after_rest(const Taker& t, std::uint32_t slot, const Placement& pl, Price rest_price) {
            v.after_rest(t, slot, pl, rest_price);
        }
    };

    // What one tracked order's re-placing does, decided without doing it
    // (reprice_one applies it; best_ranked_after_catch_up previews it).
    struct RepriceStep {
        enum class What : std::uint8_t { Stay, Move, Cancel } what;
        Placement pl;        // where it ranks (Stay/Move)
        bool keep_priority;  // Move: at the new price by its old time
    };

    // ------------------------------------------------- before accepting
    // REQ-LC-04: an order the re-pricing due now will cancel back counts as
    // gone already, so a command about it is refused without doing that
    // re-pricing first (and a new order may take its id).
    [[gnu::always_inline]] std::uint32_t live(const BookState& b, OrderId id, Timestamp ts) const noexcept {
        const std::uint32_t slot = b.find_slot(id);
        if (slot == OrderIndex::kNotFound || !b.order(slot).watched()) [[likely]] return slot;
        return live_watched(slot, ts);
    }
    [[gnu::cold]] std::uint32_t live_watched(std::uint32_t slot, Timestamp ts) const noexcept {
        table_.refresh(ts);  // a cache: refreshing it changes nothing observable
        return cancelled_by_due_reprice(slot) ? OrderIndex::kNotFound : slot;
    }

    bool cancelled_by_due_reprice(std::uint32_t slot) const noexcept {
        const Order& o = book_.order(slot);
        const TrackedOrders::Info* i = tracked_.find(book_, slot);
        if (!i || i->kind != RepriceKind::CancelBack) return false;
        const Price bound = lock_bound(o.side);
        return bound != applied_bound_[TrackedOrders::side_index(o.side)] && locks_or_crosses(o.side, o.price, bound);
    }

    // REQ-LC-04 at arrival: a non-routable displayed cancel-back order whose
    // limit locks or crosses the protected BBO, and which cannot execute
    // locally first (judged after the due re-pricing), is rejected rather than
    // accepted and cancelled.
    bool refuse_untouched(const Command& c, Side side, TimeInForce tif) const {
        if (hooks_.lock_mode(c.lock_cross) != LockCrossMode::CancelBack) return false;
        if ((c.flags & (kFlagHidden | kFlagIso | kFlagRoutable)) || c.post_only) return false;
        if (tif != TimeInForce::Day && tif != TimeInForce::Gtc) return false;
        const Price bound = lock_bound(side);
        if (!locks_or_crosses(side, c.price, bound)) return false;
        // It can execute locally only at prices up to the protected BBO.
        const Price reach = side == Side::Buy ? std::min(c.price, bound) : std::max(c.price, bound);
        const Price contra_best = best_ranked_after_catch_up(opposite(side));
        return contra_best == 0 || !crosses(side, reach, contra_best);
    }

    // The limit the owner gave (the Venue may rank the order elsewhere).
    Price limit_of(const BookState& b, std::uint32_t slot) const noexcept {
        const Order& o = b.order(slot);
        if (o.repriced())
            if (const TrackedOrders::Info* i = tracked_.find(b, slot)) return i->limit;
        return o.price;
    }

    OrderView view(std::uint32_t slot) const noexcept {
        OrderView v = book_.view(slot);
        v.limit_price = limit_of(book_, slot);
        return v;
    }

    // The lock bound for resting orders on `side`: the protected offer for a
    // bid, the protected bid for an offer. None while the protected market is
    // crossed (REQ-LC-01(b)) or Rule 610(e) is switched off.
    Price lock_bound(Side side) const noexcept {
        if (!config_.lock_cross_enabled || table_.crossed()) return 0;
        return side == Side::Buy ? table_.pbo() : table_.pbb();
    }

    // REQ-LC-01(a)/(b): ranked at `rank`, an order on `side` locks or crosses an
    // automated away quote that the lock/cross test leaves out for now (its
    // venue is under self-help, or the protected market is crossed).
    bool under_lock_exception(Side side, Price rank) const noexcept {
        // With no self-help and an uncrossed market no quote is left out of the test.
        if (!config_.lock_cross_enabled || (table_.self_help_mask() == 0 && !table_.crossed())) return false;
        return locks_or_crosses(side, rank, table_.raw_lock_bound(side == Side::Buy)) &&
               !locks_or_crosses(side, rank, lock_bound(side));
    }

    Reason self_help_check(Timestamp ts, int venue) const noexcept {
        if (ts < book_.last_timestamp()) return Reason::TimestampRegression;
        if (!table_.known_venue(venue)) return Reason::UnknownVenue;
        return Reason::None;
    }

    void reject_self_help(Timestamp ts, int venue, Reason r) {
        Event& e = book_.reject(ts, 0, 0, 0, 0, r);
        e.venues = venue >= 0 && venue < kMaxVenues ? 1u << venue : 0;
    }

    // ---------------------------------------------------- quote updates
    void update_quote_one(const QuoteUpdate& q) {
        Reason r = Reason::None;
        if (q.ts < book_.last_timestamp()) r = Reason::TimestampRegression;
        else if (!table_.known_venue(q.venue)) r = Reason::UnknownVenue;
        else if (q.bid_price < 0 || q.ask_price < 0 || q.bid_size < 0 || q.ask_size < 0 ||
                 q.bid_price > kMaxPrice || q.ask_price > kMaxPrice || q.feed > 2 || q.reserved != 0 ||
                 (q.flags & ~0x7u) != 0)
            r = Reason::InvalidQuote;
        if (r != Reason::None) {
            Event& e = book_.reject(q.ts, 0, 0, q.bid_price, q.bid_size, r);
            e.aux = q.ask_price;
            e.venues = q.venue < kMaxVenues ? 1u << q.venue : 0;
            return;
        }
        book_.set_clock(q.ts);
        const auto feed = static_cast<Feed>(q.feed);
        const std::uint8_t flags = feed == Feed::Direct ? q.flags : condition_flags(feed, q.condition);
        table_.refresh(q.ts);
        table_.apply(q, flags);
        reprice_resting(q.ts);
    }

    // The work due at ts: bring self-help up to ts and re-price the orders
    // placed against the protected BBO if it moved since they were placed.
    void catch_up(Timestamp ts) {
        table_.refresh(ts);
        // Only a self-help mask or configuration change can move a lock bound between quote updates.
        if (table_.take_mask_moved() || reprice_maybe_due_) reprice_resting(ts);
    }

    // ------------------------------------------- the check before each fill
    // The trade-through check for fills at price p (REQ-TT-03..07): true when
    // they may be committed, with the taker's fill code set; false when the
    // taker must stop. Cold: Hooks::allow_level handles the common case inline.
    [[gnu::cold]] bool clear_level(Taker& t, Price p, std::uint32_t front) {
        const bool checked = config_.rule611_enabled && (in_rth_ || config_.enforce_outside_rth);
        t.notify_fills = false;
        if (checked && table_.inside_band(p)) {  // the common case: two comparisons
            t.fill_code = static_cast<std::uint16_t>(in_rth_ ? ComplianceCode::NoTradeThrough
                                                             : ComplianceCode::PolicyOutsideRth);
            return true;
        }
        TradeThroughDecision d = decide_trade_through(table_, config_, p, t.ts, t.side, t.flags, in_rth_, command_);
        if (!d.allowed && t.routable()) {
            route_through(t, p, d.blocked);  // (b)(6): sweep what is in the way, then trade here
            if (t.remaining == 0) return false;
            d = decide_trade_through(table_, config_, p, t.ts, t.side, t.flags, in_rth_, command_);
        }
        if (d.allowed) {
            t.fill_code = static_cast<std::uint16_t>(d.code);
            t.notify_fills = (d.through | d.self_help) != 0;  // each fill is audited (before_fill)
            level_decision_ = d;
            return true;
        }
        emit_blocked(t, p, front, t.remaining, d);
        blocked_ = true;
        return false;
    }

    // As clear_level, without side effects: for the FOK pre-check. When not
    // allowed, *d holds the decision (the venues that block). The taker's time
    // is the book's clock, so bringing the table up to it is what matching does anyway.
    bool level_allowed(const Taker& t, Price p, TradeThroughDecision* d) {
        table_.refresh(t.ts);
        if (config_.rule611_enabled && (in_rth_ || config_.enforce_outside_rth) && table_.inside_band(p)) return true;
        *d = decide_trade_through(table_, config_, p, t.ts, t.side, t.flags, in_rth_, command_);
        return d->allowed;
    }

    // REQ-AUD-01: a fill that was not committed, with the venues that blocked it.
    void emit_blocked(const Taker& t, Price p, std::uint32_t front, Quantity shares, const TradeThroughDecision& d) {
        Event& e = book_.emit(EventType::Blocked, t.ts, t.id, t.side);
        e.contra_id = front == kNil ? 0 : book_.order(front).id;
        e.price = p;
        e.quantity = shares;
        e.leaves = shares;
        e.venues = d.blocked;
        e.compliance_code = static_cast<std::uint16_t>(d.code);
        e.quote_version = table_.version();
    }

    // REQ-AUD-01: before an allowed fill that traded through protected quotes,
    // one TradeThrough event per quote, with the code that cleared it.
    void audit_trade_through(const Taker& t, Price p, OrderId maker, const TradeThroughDecision& d) {
        // each venue bit in turn, lowest first (a shift by 32 would be undefined)
        for (std::uint32_t all = d.through | d.self_help; all != 0; all &= all - 1) {
            const int v = std::countr_zero(all);
            const VenueQuote& q = table_.venue(v);
            const bool bid = table_.through_bid(v, p);
            Event& e = book_.emit(EventType::TradeThrough, t.ts, t.id, bid ? Side::Buy : Side::Sell);
            e.contra_id = maker;
            e.price = p;
            e.aux = bid ? q.bid.price : q.ask.price;
            e.quantity = bid ? q.bid.size : q.ask.size;
            e.venues = 1u << v;
            e.compliance_code = static_cast<std::uint16_t>(d.venue_code[v]);
            e.quote_version = table_.version();
        }
    }

    // ------------------------------------------------------------- routing
    // ISOs to the contra-side quotes in `mask` that a print at p trades through.
    void route_through(Taker& t, Price p, std::uint32_t mask) {
        route(t, [&](const QuoteSide& s) { return t.side == Side::Buy ? s.price < p : s.price > p; }, mask);
    }

    // ISOs to every protected contra quote at or inside the taker's limit.
    void route_to_crossing_quotes(Taker& t) {
        table_.refresh(t.ts);
        route(t, [&](const QuoteSide& s) { return t.market || crosses(t.side, t.limit, s.price); }, ~0u);
    }

    // Send ISOs, best price first (ties by venue id), each for the quote's full
    // displayed size less what was already routed to it in this command, or
    // what the taker has left if that is less (REQ-ISOOUT-01). A quote routed
    // to for its full size by an earlier command is left alone (FAQ 4.08); one
    // routed to for less than its size by an earlier command is routed to for
    // its full size again (REQ-EXC-06: the full size, in the same matching
    // event). The taker's rest goes down by what was routed.
    template <class Wanted>
    void route(Taker& t, Wanted wanted, std::uint32_t mask) {
        struct Target { Price price; int venue; };
        Target targets[kMaxVenues];
        int k = 0;
        for (int v = 0; v < kMaxVenues; ++v) {
            if (!(mask & (1u << v))) continue;
            const bool eligible = t.side == Side::Buy ? table_.ask_eligible(v) : table_.bid_eligible(v);
            if (!eligible) continue;
            const VenueQuote& q = table_.venue(v);
            const QuoteSide& s = t.side == Side::Buy ? q.ask : q.bid;
            if (!wanted(s) || s.routed >= s.size) continue;  // routed to in full: pending (FAQ 4.08)
            targets[k++] = Target{s.price, v};
        }
        std::sort(targets, targets + k, [&](const Target& a, const Target& b) {
            if (a.price != b.price) return t.side == Side::Buy ? a.price < b.price : a.price > b.price;
            return a.venue < b.venue;
        });
        for (int i = 0; i < k && t.remaining > 0; ++i) {
            QuoteSide& s = t.side == Side::Buy ? table_.venue_mut(targets[i].venue).ask
                                               : table_.venue_mut(targets[i].venue).bid;
            // Only this command's routes count towards the full size (REQ-EXC-06).
            const Quantity already = s.routed_in == command_ ? s.routed : 0;
            const Quantity open = s.size - already;
            const auto qty = static_cast<std::uint32_t>(std::min<Quantity>(open, t.remaining));
            s.routed = already + qty;
            s.routed_in = command_;
            t.remaining -= qty;
            Event& e = book_.emit(EventType::Route, t.ts, t.id, t.side);
            e.contra_id = next_route_id_++;
            e.price = s.price;
            e.quantity = qty;
            e.leaves = t.remaining;
            e.aux = s.size;
            e.venues = 1u << targets[i].venue;
            e.reason = static_cast<std::uint16_t>(qty == open ? Reason::RouteIso : Reason::RouteIsoPartial);
            e.flags = kEventIso;
            e.quote_version = table_.version();
        }
    }

    // ------------------------------------------------- where a rest goes
    bool place_rest(const BookState& b, const Taker& t, Price rest_price, const RestingAttributes& a, Placement* out,
                    Reason* why) {
        Placement pl{rest_price};
        RepriceKind kind = RepriceKind::Slide;
        const bool day_iso = (t.flags & kFlagIso) != 0;  // rests at its limit (REQ-ISOIN-03)
        if (!day_iso) {
            kind = reprice_kind(t.hidden, a.lock_cross, a.post_only != PostOnly::None);
            if (a.post_only == PostOnly::None) {  // post-only orders were placed clear of the lock bound already
                const Price bound = lock_bound(t.side);
                if (kind == RepriceKind::CancelBack && locks_or_crosses(t.side, rest_price, bound)) {
                    *why = Reason::WouldLockCross;
                    return false;
                }
                pl = clear_of_own_book(t.side, place(t.side, rest_price, bound, kind, b.tick_regime()),
                                       b.best_ranked_price(opposite(t.side)), b.tick_regime());
                if (pl.rank == 0) {
                    *why = Reason::WouldLockCross;
                    return false;
                }
            }
            // REQ-LC-01(a)/(b): resting at its limit, locking or crossing a quote
            // that an exception takes out of the test: looked at again when it lapses.
            pl.watched = !pl.repriced && under_lock_exception(t.side, pl.rank);
        }
        if (pl.repriced || pl.watched) tracked_.make_room(t.side, book_.pool().capacity());  // before anything changes
        rest_kind_ = kind;
        *out = pl;
        return true;
    }

    void after_rest(const Taker& t, std::uint32_t slot, const Placement& pl, Price rest_price) {
        if (!pl.repriced && !pl.watched) return;
        tracked_.track(book_, slot, rest_kind_, rest_price);
        if (!pl.repriced) return;
        const Order& o = book_.order(slot);
        Event& e = book_.emit(EventType::Repriced, t.ts, t.id, t.side);
        e.price = pl.rank;
        e.aux = book_.display_price(o);
        e.leaves = o.leaves();
        e.reason = static_cast<std::uint16_t>(rest_kind_ == RepriceKind::Slide    ? Reason::Slid
                                              : rest_kind_ == RepriceKind::Adjust ? Reason::PriceAdjusted
                                                                                  : Reason::RankedAtLock);
    }

    // ------------------------------------------------------- re-pricing
    // REQ-LC-05: re-price the orders ranked away from their limits when the
    // protected BBO they were placed against moves, and look again at the
    // orders resting at their limits under a lock/cross exception (REQ-LC-01),
    // which slide, adjust or are cancelled back once it lapses. Orders are taken
    // in their original arrival order, so their priority among themselves is kept.
    void reprice_resting(Timestamp ts) {
        reprice_maybe_due_ = false;
        for (Side side : {Side::Buy, Side::Sell}) {
            const int si = TrackedOrders::side_index(side);
            const Price bound = lock_bound(side);
            if (bound == applied_bound_[si]) continue;
            applied_bound_[si] = bound;
            for (const TrackedOrders::Entry& e : tracked_.take(side, scratch_))
                if (tracked_.live(book_, e)) reprice_one(e, bound, ts);
            scratch_.clear();
        }
    }

    RepriceStep next_step(const Order& o, const TrackedOrders::Info& r, Price bound, Price contra_best) const noexcept {
        const Side side = o.side;
        const TickRegime regime = book_.tick_regime();
        if (r.kind == RepriceKind::CancelBack) {  // a watched cancel-back order: it may not slide
            if (locks_or_crosses(side, o.price, bound)) return RepriceStep{RepriceStep::What::Cancel, {0}, false};
            Placement stay{o.price};
            stay.watched = under_lock_exception(side, o.price);
            return RepriceStep{RepriceStep::What::Stay, stay, false};
        }
        Placement pl = clear_of_own_book(side, place(side, r.limit, bound, r.kind, regime), contra_best, regime);
        bool keep_priority = false;
        // The quote moved to lock the price we display: rank there, keep
        // displaying, keep priority (BZX practice, REQ-LC-05).
        if (r.kind == RepriceKind::Slide && o.display_offset() && pl.repriced && book_.display_price(o) == bound) {
            pl = Placement{bound, false, true};
            keep_priority = true;
        }
        if (pl.rank == 0) pl = Placement{o.price, o.display_offset(), o.repriced()};  // nowhere better: stay
        pl.watched = !pl.repriced && under_lock_exception(side, pl.rank);
        const bool same = pl.rank == o.price && pl.display_offset == o.display_offset();
        return RepriceStep{same ? RepriceStep::What::Stay : RepriceStep::What::Move, pl, keep_priority};
    }

    void reprice_one(const TrackedOrders::Entry& entry, Price bound, Timestamp ts) {
        const Order& o = book_.order(entry.slot);
        const TrackedOrders::Info& r = *tracked_.find(book_, entry.slot);
        const Side side = o.side;
        const RepriceStep step = next_step(o, r, bound, book_.best_ranked_price(opposite(side)));
        if (step.what == RepriceStep::What::Cancel) {  // REQ-LC-04, once the exception lapsed
            book_.remove_resting(entry.slot, ts, EventType::Cancelled, Reason::WouldLockCross);
            return;
        }
        const Placement& pl = step.pl;
        const bool was_repriced = o.repriced();
        if (pl.repriced || pl.watched) tracked_.keep(side, entry);
        if (step.what == RepriceStep::What::Stay) {
            book_.set_placement_bits(entry.slot, pl);
            return;
        }
        const RepriceKind kind = r.kind;
        book_.move(entry.slot, pl, step.keep_priority, ts);
        Reason why = Reason::Unslid;  // back at its limit
        if (pl.repriced && was_repriced) why = Reason::Reslid;
        else if (pl.repriced)  // first re-priced now: its exception lapsed (REQ-LC-01)
            why = kind == RepriceKind::Slide    ? Reason::Slid
                  : kind == RepriceKind::Adjust ? Reason::PriceAdjusted
                                                : Reason::RankedAtLock;
        const Order& moved = book_.order(entry.slot);
        Event& e = book_.emit(EventType::Repriced, ts, moved.id, side);
        e.price = pl.rank;
        e.aux = book_.display_price(moved);
        e.leaves = moved.leaves();
        e.reason = static_cast<std::uint16_t>(why);
        e.flags = step.keep_priority ? kEventPriorityKept : 0;
    }

    // The best price `side` is ranked at once the re-pricing due now is done,
    // computed without doing it: refusals are decided on it, and change nothing.
    Price best_ranked_after_catch_up(Side side) const {
        // reprice_resting takes bids first, then offers: where an offer goes
        // depends on where the bids ended up (clear_of_own_book).
        const Price bids_after = best_ranked_after_reprice(Side::Buy, book_.best_ranked_price(Side::Sell));
        return side == Side::Buy ? bids_after : best_ranked_after_reprice(Side::Sell, bids_after);
    }

    Price best_ranked_after_reprice(Side side, Price contra_best) const {
        const Price now = book_.best_ranked_price(side);
        const int si = TrackedOrders::side_index(side);
        const Price bound = lock_bound(side);
        if (bound == applied_bound_[si] || tracked_.arrivals(side).empty()) return now;
        auto better = [side](Price a, Price b) {
            if (a == 0) return b;
            if (b == 0) return a;
            return side == Side::Buy ? std::max(a, b) : std::min(a, b);
        };
        // New ranks of the orders that move, and how many leave each level.
        Price moved_best = 0;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> leaving;  // (level slot, orders), a rare path
        tracked_.for_each_live(book_, side, [&](const TrackedOrders::Entry& e, const TrackedOrders::Info& r) {
            const Order& o = book_.order(e.slot);
            const RepriceStep step = next_step(o, r, bound, contra_best);
            if (step.what == RepriceStep::What::Stay) return;
            if (step.what == RepriceStep::What::Move) moved_best = better(moved_best, step.pl.rank);
            auto it = std::find_if(leaving.begin(), leaving.end(), [&](const auto& l) { return l.first == o.level; });
            if (it == leaving.end()) leaving.emplace_back(o.level, 1);
            else ++it->second;
        });
        Price staying_best = 0;
        const PriceLadder& l = book_.ladder(side);
        l.for_each_level([&](std::uint32_t ls) {
            auto it = std::find_if(leaving.begin(), leaving.end(), [&](const auto& e) { return e.first == ls; });
            const std::uint32_t gone = it == leaving.end() ? 0 : it->second;
            if (l.level(ls).total_orders <= gone) return true;
            staying_best = l.level(ls).price;
            return false;
        });
        return better(staying_best, moved_best);
    }

    Book book_;
    std::vector<std::string> names_;
    mutable ProtectedQuoteTable table_;  // its self-help state is a cache, refreshed by queries too
    TradeThroughConfig config_;
    FeeSchedule fees_;
    FeeCapRegime fee_regime_ = FeeCapRegime::Cap2005;
    bool fees_loaded_ = false;      // compute fees on fills only once a schedule is loaded
    bool in_rth_ = true;            // set by Session control events (D4)
    std::uint64_t command_ = 0;     // the command being processed (for (b)(6))
    std::uint64_t next_route_id_ = 1;
    Price applied_bound_[2] = {0, 0};  // the lock bound each side was last placed against
    // A hint, never saved: the configuration changed since re-pricing last ran
    // (with the table's mask hint, what lets catch_up skip the re-pricing
    // check). True is always safe: the check compares each side's lock bound
    // with the one it was placed against.
    bool reprice_maybe_due_ = true;
    TrackedOrders tracked_;
    std::vector<TrackedOrders::Entry> scratch_;
    // The incoming order being matched: stopped by the trade-through check, and
    // the decision for its current level (read while its fills are audited).
    bool blocked_ = false;
    TradeThroughDecision level_decision_;
    RepriceKind rest_kind_ = RepriceKind::Slide;  // between place_rest and after_rest
    Hooks hooks_{*this};
};

}  // namespace engine
