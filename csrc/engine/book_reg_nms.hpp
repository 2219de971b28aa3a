// The Book's Regulation NMS handling: quote, session and self-help inputs, the
// trade-through check of a price level (the slow path behind match()'s inline
// fast path), routing intermarket sweep orders, blocking, and placing and
// re-pricing resting orders so that displayed ones never lock or cross a
// protected quote. Declared in book.hpp; the rules themselves are in
// protected_quotes.hpp, trade_through.hpp and reg_nms.hpp.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

#include "book.hpp"

namespace engine {

inline void Book::update_quote_one(const QuoteUpdate& q) {
    Reason r = Reason::None;
    if (!nms_) r = Reason::InvalidAction;
    else if (q.ts < last_ts_) r = Reason::TimestampRegression;
    else if (!nms_->table.known_venue(q.venue)) r = Reason::UnknownVenue;
    else if (q.bid_price < 0 || q.ask_price < 0 || q.bid_size < 0 || q.ask_size < 0 ||
             q.bid_price > kMaxPrice || q.ask_price > kMaxPrice || q.feed > 2 || q.reserved != 0 ||
             (q.flags & ~0x7u) != 0)
        r = Reason::InvalidQuote;
    if (r != Reason::None) {
        Event& e = reject_event(q.ts, 0, 0, q.bid_price, q.bid_size, r);
        e.aux = q.ask_price;
        e.venues = q.venue < kMaxVenues ? 1u << q.venue : 0;
        return;
    }
    last_ts_ = q.ts;
    const auto feed = static_cast<Feed>(q.feed);
    const std::uint8_t flags = feed == Feed::Direct ? q.flags : condition_flags(feed, q.condition);
    nms_->table.refresh(q.ts);
    nms_->table.apply(q, flags);
    reprice_resting(q.ts);
}

inline void Book::set_session(Timestamp ts, bool regular_hours) {
    if (!nms_) return reject(ts, 0, 0, 0, 0, Reason::InvalidAction);
    if (ts < last_ts_) return reject(ts, 0, 0, 0, 0, Reason::TimestampRegression);
    last_ts_ = ts;
    nms_->in_rth = regular_hours;
    Event& e = emit(EventType::Session, ts, 0, Side::Buy);
    e.side = 0;
    e.reason = static_cast<std::uint16_t>(regular_hours ? Reason::RthStart : Reason::RthEnd);
}

inline void Book::declare_self_help_one(Timestamp ts, int venue, Timestamp start, Timestamp end) {
    const Reason r = self_help_check(ts, venue);
    if (r != Reason::None) return reject_self_help(ts, venue, r);
    if (!nms_->table.declare_self_help(venue, start, end))
        return reject_self_help(ts, venue, Reason::InvalidSelfHelp);
    last_ts_ = ts;
    sync_reg_nms(ts);
}

inline void Book::revoke_self_help_one(Timestamp ts, int venue, Timestamp at) {
    const Reason r = self_help_check(ts, venue);
    if (r != Reason::None) return reject_self_help(ts, venue, r);
    if (!nms_->table.revoke_self_help(venue, at)) return reject_self_help(ts, venue, Reason::InvalidSelfHelp);
    last_ts_ = ts;
    sync_reg_nms(ts);
}

inline const char* Book::configure(const ConfigChange& c, bool apply) {
    if (!nms_) return "reg_nms";
    if (const char* bad = config_violation(c)) return bad;
    if (!apply) return nullptr;
    RegNmsState& n = *nms_;
    if (c.set & ConfigChange::kRule611) n.config.rule611_enabled = c.rule611_enabled;
    if (c.set & ConfigChange::kEnforceOutsideRth) n.config.enforce_outside_rth = c.enforce_outside_rth;
    if (c.set & ConfigChange::kSubpennyExemption) n.config.subpenny_exemption = c.subpenny_exemption;
    if (c.set & ConfigChange::kLockCrossProtection) n.config.lock_cross_enabled = c.lock_cross_enabled;
    if (c.set & ConfigChange::kDefaultLockCross)
        n.config.default_lock_cross = static_cast<LockCrossMode>(c.default_lock_cross);
    if (c.set & ConfigChange::kFlickerWindow) n.table.set_flicker_window(c.flicker_window);
    n.reprice_maybe_due = true;  // re-priced orders are re-placed at the next command if their bound moved
    return nullptr;
}

// A query works on a copy of the table: bringing self-help and the look-back
// history up to t must not change what the book does next.
inline bool Book::check_print(Price p, Timestamp t, Side side, std::uint32_t flags, TradeThroughDecision* out) const {
    if (!nms_ || t < last_ts_) return false;
    ProtectedQuoteTable view = nms_->table;
    view.refresh(t);
    *out = decide_trade_through(view, nms_->config, p, t, side, flags, nms_->in_rth, nms_->command + 1);
    return true;
}

inline bool Book::protected_bbo(Timestamp t, ProtectedBbo* out) const {
    if (!nms_ || t < last_ts_) return false;
    ProtectedQuoteTable view = nms_->table;
    view.refresh(t);
    *out = ProtectedBbo{view.pbb(), view.pbo(), view.pbb_venues(), view.pbo_venues(),
                        view.crossed(), view.locked(), view.version()};
    return true;
}

inline void Book::sync_reg_nms(Timestamp ts) {
    RegNmsState& n = *nms_;
    n.table.refresh(ts);
    // Only a self-help mask or configuration change can move a lock bound between quote updates.
    if (n.table.take_mask_moved() || n.reprice_maybe_due) reprice_resting(ts);
}

[[gnu::cold]] inline bool Book::clear_level(Taker& t, Price p, std::uint32_t front) {
    RegNmsState& n = *nms_;
    const bool checked = n.config.rule611_enabled && (n.in_rth || n.config.enforce_outside_rth);
    t.audit = false;
    if (checked && n.table.inside_band(p)) {  // the common case: two comparisons
        t.code = n.in_rth ? ComplianceCode::NoTradeThrough : ComplianceCode::PolicyOutsideRth;
        return true;
    }
    TradeThroughDecision d = decide_trade_through(n.table, n.config, p, t.ts, t.side, t.flags, n.in_rth, n.command);
    if (!d.allowed && t.routable()) {
        route_through(t, p, d.blocked);  // (b)(6): sweep what is in the way, then trade here
        if (t.remaining == 0) return false;
        d = decide_trade_through(n.table, n.config, p, t.ts, t.side, t.flags, n.in_rth, n.command);
    }
    if (d.allowed) {
        t.code = d.code;
        t.audit = (d.through | d.self_help) != 0;
        level_decision_ = d;
        return true;
    }
    emit_blocked(t, p, front, t.remaining, d);
    t.blocked = true;
    return false;
}

inline void Book::emit_blocked(const Taker& t, Price p, std::uint32_t front, Quantity shares,
                               const TradeThroughDecision& d) {
    Event& e = emit(EventType::Blocked, t.ts, t.id, t.side);
    e.contra_id = front == kNil ? 0 : pool_[front].id;
    e.price = p;
    e.quantity = shares;
    e.leaves = shares;
    e.venues = d.blocked;
    e.compliance_code = static_cast<std::uint16_t>(d.code);
    e.quote_version = nms_->table.version();
}

// The taker's time is the book's clock (the command being applied), so
// bringing the table up to it is what matching does anyway.
inline bool Book::level_allowed(const Taker& t, Price p, TradeThroughDecision* d) {
    RegNmsState& n = *nms_;
    n.table.refresh(t.ts);
    if (n.config.rule611_enabled && (n.in_rth || n.config.enforce_outside_rth) && n.table.inside_band(p))
        return true;
    *d = decide_trade_through(n.table, n.config, p, t.ts, t.side, t.flags, n.in_rth, n.command);
    return d->allowed;
}

inline void Book::audit_trade_through(const Taker& t, Price p, OrderId maker, const TradeThroughDecision& d) {
    // each venue bit in turn, lowest first (a shift by 32 would be undefined)
    for (std::uint32_t all = d.through | d.self_help; all != 0; all &= all - 1) {
        const int v = std::countr_zero(all);
        const VenueQuote& q = nms_->table.venue(v);
        const bool bid = nms_->table.through_bid(v, p);
        Event& e = emit(EventType::TradeThrough, t.ts, t.id, bid ? Side::Buy : Side::Sell);
        e.contra_id = maker;
        e.price = p;
        e.aux = bid ? q.bid.price : q.ask.price;
        e.quantity = bid ? q.bid.size : q.ask.size;
        e.venues = 1u << v;
        e.compliance_code = static_cast<std::uint16_t>(d.venue_code[v]);
        e.quote_version = nms_->table.version();
    }
}

inline void Book::route_through(Taker& t, Price p, std::uint32_t mask) {
    route(t, [&](const QuoteSide& s) { return t.side == Side::Buy ? s.price < p : s.price > p; }, mask);
}

inline void Book::route_to_crossing_quotes(Taker& t) {
    nms_->table.refresh(t.ts);
    route(t, [&](const QuoteSide& s) { return t.market || crosses(t.side, t.limit, s.price); }, ~0u);
}

template <class Wanted>
inline void Book::route(Taker& t, Wanted wanted, std::uint32_t mask) {
    RegNmsState& n = *nms_;
    struct Target { Price price; int venue; };
    Target targets[kMaxVenues];
    int k = 0;
    for (int v = 0; v < kMaxVenues; ++v) {
        if (!(mask & (1u << v))) continue;
        const bool eligible = t.side == Side::Buy ? n.table.ask_eligible(v) : n.table.bid_eligible(v);
        if (!eligible) continue;
        const VenueQuote& q = n.table.venue(v);
        const QuoteSide& s = t.side == Side::Buy ? q.ask : q.bid;
        if (!wanted(s) || s.routed >= s.size) continue;  // routed to in full: pending (FAQ 4.08)
        targets[k++] = Target{s.price, v};
    }
    std::sort(targets, targets + k, [&](const Target& a, const Target& b) {
        if (a.price != b.price) return t.side == Side::Buy ? a.price < b.price : a.price > b.price;
        return a.venue < b.venue;
    });
    for (int i = 0; i < k && t.remaining > 0; ++i) {
        QuoteSide& s = t.side == Side::Buy ? n.table.venue_mut(targets[i].venue).ask
                                           : n.table.venue_mut(targets[i].venue).bid;
        // Only this command's routes count towards the full size (REQ-EXC-06).
        const Quantity already = s.routed_in == n.command ? s.routed : 0;
        const Quantity open = s.size - already;
        const auto qty = static_cast<std::uint32_t>(std::min<Quantity>(open, t.remaining));
        s.routed = already + qty;
        s.routed_in = n.command;
        t.remaining -= qty;
        Event& e = emit(EventType::Route, t.ts, t.id, t.side);
        e.contra_id = n.next_route_id++;
        e.price = s.price;
        e.quantity = qty;
        e.leaves = t.remaining;
        e.aux = s.size;
        e.venues = 1u << targets[i].venue;
        e.reason = static_cast<std::uint16_t>(qty == open ? Reason::RouteIso : Reason::RouteIsoPartial);
        e.flags = kEventIso;
        e.quote_version = n.table.version();
    }
}

inline bool Book::would_cancel_back_untouched(const Command& c, Side side, TimeInForce tif) const {
    if (resolve_lock_mode(c.lock_cross) != LockCrossMode::CancelBack) return false;
    if ((c.flags & (kFlagHidden | kFlagIso | kFlagRoutable)) || c.post_only) return false;
    if (tif != TimeInForce::Day && tif != TimeInForce::Gtc) return false;
    const Price bound = nms_->lock_bound(side);
    if (!locks_or_crosses(side, c.price, bound)) return false;
    // It can execute locally only at prices up to the protected BBO.
    const Price reach = side == Side::Buy ? std::min(c.price, bound) : std::max(c.price, bound);
    const Price contra_best = best_ranked_after_sync(opposite(side));
    return contra_best == 0 || !crosses(side, reach, contra_best);
}

inline void Book::reprice_resting(Timestamp ts) {
    RegNmsState& n = *nms_;
    n.reprice_maybe_due = false;
    for (Side side : {Side::Buy, Side::Sell}) {
        const int si = RegNmsState::side_index(side);
        const Price bound = n.lock_bound(side);
        if (bound == n.applied_bound[si]) continue;
        n.applied_bound[si] = bound;
        n.scratch.swap(n.repriced[si]);
        n.repriced[si].clear();
        for (const RepricedOrder& r : n.scratch) reprice_one(r, bound, ts);
        n.scratch.clear();
    }
}

inline Book::RepriceStep Book::next_step(const Order& o, const RepricedOrder& r, Price bound,
                                         Price contra_best) const noexcept {
    const Side side = o.side;
    if (r.kind == RepriceKind::CancelBack) {  // a watched cancel-back order: it may not slide
        if (locks_or_crosses(side, o.price, bound)) return RepriceStep{RepriceStep::What::Cancel, {}, false, false};
        const Placement stay{o.price, false, false};
        return RepriceStep{RepriceStep::What::Stay, stay, false, under_lock_exception(side, o.price)};
    }
    Placement pl = clear_of_own_book(side, place(side, r.limit, bound, r.kind, regime_), contra_best);
    bool keep_priority = false;
    // The quote moved to lock the price we display: rank there, keep
    // displaying, keep priority (BZX practice, REQ-LC-05).
    if (r.kind == RepriceKind::Slide && o.display_offset() && pl.repriced && display_price(o) == bound) {
        pl = Placement{bound, false, true};
        keep_priority = true;
    }
    if (pl.rank == 0) pl = Placement{o.price, o.display_offset(), o.repriced()};  // nowhere better: stay
    const bool watched = !pl.repriced && under_lock_exception(side, pl.rank);
    const bool same = pl.rank == o.price && pl.display_offset == o.display_offset();
    return RepriceStep{same ? RepriceStep::What::Stay : RepriceStep::What::Move, pl, keep_priority, watched};
}

inline void Book::reprice_one(const RepricedOrder& r, Price bound, Timestamp ts) {
    Order& o = pool_[r.slot];
    const Side side = o.side;
    const PriceLadder& contra = ladder(opposite(side));
    const RepriceStep step = next_step(o, r, bound, contra.empty() ? 0 : contra.best_price());
    if (step.what == RepriceStep::What::Cancel) {  // REQ-LC-04, once the exception lapsed
        o.flags &= static_cast<std::uint16_t>(~kOrderWatched);  // not in the list being rebuilt
        remove_resting(r.slot, ts, EventType::Cancelled, Reason::WouldLockCross);
        return;
    }
    const Placement& pl = step.pl;
    const bool was_repriced = o.repriced();
    if (pl.repriced || step.watched) nms_->repriced[RegNmsState::side_index(side)].push_back(r);
    const auto state = static_cast<std::uint16_t>((pl.display_offset ? kOrderDisplayOffset : 0) |
                                                  (pl.repriced ? kOrderRepriced : 0) |
                                                  (step.watched ? kOrderWatched : 0));
    constexpr auto kState = static_cast<std::uint16_t>(kOrderDisplayOffset | kOrderRepriced | kOrderWatched);
    if (step.what == RepriceStep::What::Stay) {
        o.flags = static_cast<std::uint16_t>((o.flags & ~kState) | state);
        return;
    }
    PriceLadder& l = ladder(side);
    l.unlink(pool_, r.slot);
    if (l.level(o.level).empty()) l.remove_level(o.level);
    o.price = pl.rank;
    o.flags = static_cast<std::uint16_t>((o.flags & ~kState) | state);
    const std::uint32_t ls = l.find_or_add(pl.rank);
    if (step.keep_priority) {
        l.insert_by_time(pool_, r.slot, ls);
    } else {
        o.ts = ts;
        l.push_back(pool_, r.slot, ls);
    }
    Reason why = Reason::Unslid;  // back at its limit
    if (pl.repriced && was_repriced) why = Reason::Reslid;
    else if (pl.repriced)  // first re-priced now: its exception lapsed (REQ-LC-01)
        why = r.kind == RepriceKind::Slide    ? Reason::Slid
              : r.kind == RepriceKind::Adjust ? Reason::PriceAdjusted
                                              : Reason::RankedAtLock;
    Event& e = emit(EventType::Repriced, ts, o.id, side);
    e.price = pl.rank;
    e.aux = display_price(o);
    e.leaves = o.leaves();
    e.reason = static_cast<std::uint16_t>(why);
    e.flags = step.keep_priority ? kEventPriorityKept : 0;
}

inline Price Book::best_ranked_after_sync(Side side) const {
    const PriceLadder& l = ladder(side);
    const Price now = l.empty() ? 0 : l.best_price();
    if (!nms_) return now;
    // reprice_resting takes bids first, then offers: where an offer goes
    // depends on where the bids ended up (clear_of_own_book).
    const PriceLadder& asks = ladder(Side::Sell);
    const Price bids_after = best_ranked_after_reprice(Side::Buy, asks.empty() ? 0 : asks.best_price());
    return side == Side::Buy ? bids_after : best_ranked_after_reprice(Side::Sell, bids_after);
}

inline Price Book::best_ranked_after_reprice(Side side, Price contra_best) const {
    const PriceLadder& l = ladder(side);
    const Price now = l.empty() ? 0 : l.best_price();
    const int si = RegNmsState::side_index(side);
    const Price bound = nms_->lock_bound(side);
    const std::vector<RepricedOrder>& list = nms_->repriced[si];
    if (bound == nms_->applied_bound[si] || list.empty()) return now;
    auto better = [side](Price a, Price b) {
        if (a == 0) return b;
        if (b == 0) return a;
        return side == Side::Buy ? std::max(a, b) : std::min(a, b);
    };
    // New ranks of the orders that move, and how many leave each level.
    Price moved_best = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> leaving;  // (level slot, orders), a rare path
    for (const RepricedOrder& r : list) {
        const Order& o = pool_[r.slot];
        const RepriceStep step = next_step(o, r, bound, contra_best);
        if (step.what == RepriceStep::What::Stay) continue;
        if (step.what == RepriceStep::What::Move) moved_best = better(moved_best, step.pl.rank);
        auto it = std::find_if(leaving.begin(), leaving.end(), [&](const auto& e) { return e.first == o.level; });
        if (it == leaving.end()) leaving.emplace_back(o.level, 1);
        else ++it->second;
    }
    Price staying_best = 0;
    for (std::size_t rank = 0; rank < l.level_count(); ++rank) {
        const std::uint32_t ls = l.level_at_rank(rank);
        auto it = std::find_if(leaving.begin(), leaving.end(), [&](const auto& e) { return e.first == ls; });
        const std::uint32_t gone = it == leaving.end() ? 0 : it->second;
        if (l.level(ls).total_orders > gone) {
            staying_best = l.level(ls).price;
            break;
        }
    }
    return better(staying_best, moved_best);
}

inline bool Book::cancelled_by_due_reprice(std::uint32_t slot) const noexcept {
    const Order& o = pool_[slot];
    const RepricedOrder* r = find_repriced(slot);
    if (!r || r->kind != RepriceKind::CancelBack) return false;
    const Price bound = nms_->lock_bound(o.side);
    return bound != nms_->applied_bound[RegNmsState::side_index(o.side)] && locks_or_crosses(o.side, o.price, bound);
}

inline bool Book::under_lock_exception(Side side, Price rank) const noexcept {
    const RegNmsState& n = *nms_;
    // With no self-help and an uncrossed market no quote is left out of the test.
    if (!n.config.lock_cross_enabled || (n.table.self_help_mask() == 0 && !n.table.crossed())) return false;
    return locks_or_crosses(side, rank, n.table.raw_lock_bound(side == Side::Buy)) &&
           !locks_or_crosses(side, rank, n.lock_bound(side));
}

inline Placement Book::clear_of_own_book(Side side, Placement pl, Price contra_best) const noexcept {
    if (contra_best == 0 || !crosses(side, pl.rank, contra_best)) return pl;
    return Placement{less_aggressive(side, contra_best, regime_), false, true};
}

inline const RepricedOrder* Book::find_repriced(std::uint32_t slot) const noexcept {
    if (!nms_) return nullptr;
    for (const auto& list : nms_->repriced)
        for (const RepricedOrder& r : list)
            if (r.slot == slot && r.id == pool_[slot].id) return &r;
    return nullptr;
}

inline void Book::forget_repriced(std::uint32_t slot) {
    if (!nms_) return;
    auto& list = nms_->repriced[RegNmsState::side_index(pool_[slot].side)];
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (list[i].slot == slot) {
            list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
            return;
        }
    }
}

inline void Book::rename_repriced(std::uint32_t slot, OrderId from, OrderId to) {
    if (!nms_) return;
    for (auto& list : nms_->repriced)
        for (RepricedOrder& r : list)
            if (r.slot == slot && r.id == from) r.id = to;
}

inline Price Book::limit_of(std::uint32_t slot) const noexcept {
    const Order& o = pool_[slot];
    if (o.repriced())
        if (const RepricedOrder* r = find_repriced(slot)) return r->limit;
    return o.price;
}

inline Price Book::display_price(const Order& o) const noexcept {
    if (o.hidden()) return 0;
    return o.display_offset() ? less_aggressive(o.side, o.price, regime_) : o.price;
}

inline Reason Book::self_help_check(Timestamp ts, int venue) const noexcept {
    if (!nms_) return Reason::InvalidAction;
    if (ts < last_ts_) return Reason::TimestampRegression;
    if (!nms_->table.known_venue(venue)) return Reason::UnknownVenue;
    return Reason::None;
}

inline void Book::reject_self_help(Timestamp ts, int venue, Reason r) {
    Event& e = reject_event(ts, 0, 0, 0, 0, r);
    e.venues = venue >= 0 && venue < kMaxVenues ? 1u << venue : 0;
}

}  // namespace engine
