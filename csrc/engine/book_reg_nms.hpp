// The Book's Regulation NMS handling: quote, session and self-help inputs, the
// trade-through check of a price level (the slow path behind match()'s inline
// fast path), routing intermarket sweep orders, blocking, and placing and
// re-pricing resting orders so that displayed ones never lock or cross a
// protected quote. Declared in book.hpp; the rules themselves are in
// protected_quotes.hpp, trade_through.hpp and reg_nms.hpp.
#pragma once

#include <algorithm>
#include <cstdint>

#include "book.hpp"

namespace engine {

inline void Book::update_quote(const QuoteUpdate& q) {
    Reason r = Reason::None;
    if (!nms_) r = Reason::InvalidAction;
    else if (q.ts < last_ts_) r = Reason::TimestampRegression;
    else if (q.venue >= kMaxVenues) r = Reason::UnknownVenue;
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

inline void Book::update_quotes(const QuoteUpdate* quotes, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) update_quote(quotes[i]);
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

inline void Book::declare_self_help(Timestamp ts, int venue, Timestamp start, Timestamp end) {
    const Reason r = self_help_check(ts, venue);
    if (r != Reason::None) return reject_self_help(ts, venue, r);
    if (!nms_->table.declare_self_help(venue, start, end))
        return reject_self_help(ts, venue, Reason::InvalidSelfHelp);
    last_ts_ = ts;
    sync_reg_nms(ts);
}

inline void Book::revoke_self_help(Timestamp ts, int venue, Timestamp at) {
    const Reason r = self_help_check(ts, venue);
    if (r != Reason::None) return reject_self_help(ts, venue, r);
    if (!nms_->table.revoke_self_help(venue, at)) return reject_self_help(ts, venue, Reason::InvalidSelfHelp);
    last_ts_ = ts;
    sync_reg_nms(ts);
}

inline TradeThroughDecision Book::check_print(Price p, Timestamp t, Side side, std::uint32_t flags) {
    nms_->table.refresh(t);
    return decide_trade_through(nms_->table, nms_->config, p, t, side, flags, nms_->in_rth, nms_->command + 1);
}

inline void Book::sync_reg_nms(Timestamp ts) {
    nms_->table.refresh(ts);
    if (nms_->table.take_self_help_change() || nms_->dirty) {
        nms_->dirty = false;
        reprice_resting(ts);
    }
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
    const OrderId maker = front == kNil ? 0 : pool_[front].id;
    if (d.allowed) {
        t.code = d.code;
        t.audit = (d.through | d.self_help) != 0;
        level_decision_ = d;
        return true;
    }
    Event& e = emit(EventType::Blocked, t.ts, t.id, t.side);
    e.contra_id = maker;
    e.price = p;
    e.quantity = t.remaining;
    e.leaves = t.remaining;
    e.venues = d.blocked;
    e.compliance_code = static_cast<std::uint16_t>(d.code);
    e.quote_version = n.table.version();
    t.blocked = true;
    return false;
}

inline bool Book::level_allowed(const Taker& t, Price p) {
    RegNmsState& n = *nms_;
    n.table.refresh(t.ts);
    if (n.config.rule611_enabled && (n.in_rth || n.config.enforce_outside_rth) && n.table.inside_band(p))
        return true;
    return decide_trade_through(n.table, n.config, p, t.ts, t.side, t.flags, n.in_rth, n.command).allowed;
}

inline void Book::audit_trade_through(const Taker& t, Price p, OrderId maker, const TradeThroughDecision& d) {
    const std::uint32_t all = d.through | d.self_help;
    for (int v = 0; all >> v; ++v) {
        if (!(all & (1u << v))) continue;
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
        if (!wanted(s) || s.routed >= s.size) continue;
        targets[k++] = Target{s.price, v};
    }
    std::sort(targets, targets + k, [&](const Target& a, const Target& b) {
        if (a.price != b.price) return t.side == Side::Buy ? a.price < b.price : a.price > b.price;
        return a.venue < b.venue;
    });
    for (int i = 0; i < k && t.remaining > 0; ++i) {
        QuoteSide& s = t.side == Side::Buy ? n.table.venue_mut(targets[i].venue).ask
                                           : n.table.venue_mut(targets[i].venue).bid;
        const Quantity open = s.size - s.routed;
        const auto qty = static_cast<std::uint32_t>(std::min<Quantity>(open, t.remaining));
        s.routed += qty;
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

inline bool Book::would_cancel_back_untouched(const Command& c, Side side, TimeInForce tif) {
    if (resolve_lock_mode(c.lock_cross) != LockCrossMode::CancelBack) return false;
    if ((c.flags & (kFlagHidden | kFlagIso | kFlagRoutable)) || c.post_only) return false;
    if (tif != TimeInForce::Day && tif != TimeInForce::Gtc) return false;
    const Price bound = nms_->lock_bound(side);
    if (!locks_or_crosses(side, c.price, bound)) return false;
    // It can execute locally only at prices up to the protected BBO.
    const Price reach = side == Side::Buy ? std::min(c.price, bound) : std::max(c.price, bound);
    const PriceLadder& contra = ladder(opposite(side));
    return contra.empty() || !crosses(side, reach, contra.best_price());
}

inline void Book::reprice_resting(Timestamp ts) {
    RegNmsState& n = *nms_;
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

inline void Book::reprice_one(const RepricedOrder& r, Price bound, Timestamp ts) {
    Order& o = pool_[r.slot];
    const Side side = o.side;
    Placement pl = clear_of_own_book(side, place(side, r.limit, bound, r.kind, regime_));
    bool keep_priority = false;
    // The quote moved to lock the price we display: rank there, keep
    // displaying, keep priority (BZX practice).
    if (r.kind == RepriceKind::Slide && o.display_offset() && pl.repriced && display_price(o) == bound) {
        pl = Placement{bound, false, true};
        keep_priority = true;
    }
    if (pl.rank == 0) pl = Placement{o.price, o.display_offset(), true};  // nowhere better: stay
    if (pl.repriced) nms_->repriced[RegNmsState::side_index(side)].push_back(r);
    if (pl.rank == o.price && pl.display_offset == o.display_offset()) {
        if (!pl.repriced) o.flags &= static_cast<std::uint16_t>(~kOrderRepriced);
        return;
    }
    PriceLadder& l = ladder(side);
    l.unlink(pool_, r.slot);
    if (l.level(o.level).empty()) l.remove_level(o.level);
    o.price = pl.rank;
    o.flags = static_cast<std::uint16_t>((o.flags & ~(kOrderDisplayOffset | kOrderRepriced)) |
                                         (pl.display_offset ? kOrderDisplayOffset : 0) |
                                         (pl.repriced ? kOrderRepriced : 0));
    const std::uint32_t ls = l.find_or_add(pl.rank);
    if (keep_priority) {
        l.insert_by_time(pool_, r.slot, ls);
    } else {
        o.ts = ts;
        l.push_back(pool_, r.slot, ls);
    }
    Event& e = emit(EventType::Repriced, ts, o.id, side);
    e.price = pl.rank;
    e.aux = display_price(o);
    e.leaves = o.leaves();
    e.reason = static_cast<std::uint16_t>(pl.repriced ? Reason::Reslid : Reason::Unslid);
    e.flags = keep_priority ? kEventPriorityKept : 0;
}

inline Placement Book::clear_of_own_book(Side side, Placement pl) const noexcept {
    const PriceLadder& contra = ladder(opposite(side));
    if (contra.empty() || !crosses(side, pl.rank, contra.best_price())) return pl;
    return Placement{less_aggressive(side, contra.best_price(), regime_), false, true};
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
    if (venue < 0 || venue >= kMaxVenues) return Reason::UnknownVenue;
    return Reason::None;
}

inline void Book::reject_self_help(Timestamp ts, int venue, Reason r) {
    Event& e = reject_event(ts, 0, 0, 0, 0, r);
    e.venues = venue >= 0 && venue < kMaxVenues ? 1u << venue : 0;
}

}  // namespace engine
