// The protected-quote table: other venues' best bids and offers for one symbol,
// fed from outside the engine (REQ-PQ-01..08, REQ-FEED-01..02, REQ-SH).
//
// A side is a protected quotation when its venue's quote is automated, has a
// positive price and size, the venue is open, and no self-help declaration
// against the venue is in force (REQ-PQ-02). The table caches the protected
// best bid and offer (PBB, PBO) with the set of venues at each (REQ-PQ-04),
// and a "band" [lo, hi] for the hot path: a print inside it trades through no
// quote at all, self-help venues' included, so the common case of the
// trade-through check is two comparisons (REQ-TT-03).
//
// For the one-second look-back (b)(8) each venue side keeps a monotonic deque
// of the automated prices it displayed, answering "the least aggressive price
// shown in (t - window, t]" in amortised O(1) (REQ-PQ-07).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "../core/price.hpp"
#include "../core/records.hpp"
#include "../core/types.hpp"

namespace engine {

inline constexpr Timestamp kOneSecond = 1'000'000'000;
inline constexpr Timestamp kNever = std::numeric_limits<Timestamp>::max();

// REQ-FEED-01/02: the per-feed meaning of a quote condition code. Letters mean
// different things on different feeds (CQS 'F' is slow on the ask; UQDF 'F' is
// fast trading and leaves both sides protected). Unknown codes are protected
// and flagged so the caller can alert. Non-firm, imbalance and influx stay
// protected (conservative).
constexpr std::uint8_t condition_flags(Feed feed, std::uint8_t code) noexcept {
    if (code == 0 || code == ' ') return 0;
    if (feed == Feed::Uqdf) {
        switch (code) {
            case 'A': return kQuoteAskManual;
            case 'B': return kQuoteBidManual;
            case 'H': case 'U': return kQuoteBidManual | kQuoteAskManual;
            case 'R': case 'Y': case 'O': case 'F': case 'N': case 'I': case 'X': return 0;
            case 'L': case 'Z': return kQuoteClosed;
            default: return kQuoteUnknownCondition;
        }
    }
    if (feed == Feed::Cqs) {
        switch (code) {
            case 'A': case 'F': return kQuoteAskManual;
            case 'B': case 'E': return kQuoteBidManual;
            case 'H': case 'U': case 'W': return kQuoteBidManual | kQuoteAskManual;
            case 'R': case 'O': case 'C': case 'N': case 'I': case 'X': return 0;
            default: return kQuoteUnknownCondition;
        }
    }
    return kQuoteUnknownCondition;
}

// The least aggressive automated price one venue side displayed over a sliding
// window: a monotonic deque of (price, end of display) in a ring buffer.
class QuoteHistory {
    friend struct SnapshotAccess;

public:
    // The side now displays `price` (0: nothing eligible) from time t.
    void record(Timestamp t, Price price, bool is_ask, Timestamp window) {
        make_room();  // first, so running out of memory changes nothing
        if (!empty() && back().end == kNever) back().end = t;  // the current state ends
        expire(t, window);
        if (price <= 0) return;
        // A newer state that is at least as "least aggressive" outlives older ones.
        while (!empty() && (is_ask ? back().price <= price : back().price >= price)) pop_back();
        push_back(Entry{price, kNever});
    }

    // Room for one more entry now, so the next record() cannot fail.
    void make_room() {
        if (size_ == ring_.size()) grow();
    }

    // Least aggressive price displayed in (t - window, t]; 0 if none.
    Price least_aggressive(Timestamp t, Timestamp window) {
        expire(t, window);
        return empty() ? 0 : front().price;
    }

private:
    struct Entry {
        Price price;
        Timestamp end;  // exclusive; kNever while displayed
    };

    // A state displayed over [start, end) was last displayed at end - 1. The
    // window (t - window, t] excludes its left edge, so a state whose last
    // nanosecond is t - window is outside (D5: never longer than the window).
    void expire(Timestamp t, Timestamp window) {
        // t - window without overflow near the bottom of the int64 range
        const Timestamp edge = t < std::numeric_limits<Timestamp>::min() + window ? std::numeric_limits<Timestamp>::min()
                                                                                   : t - window;
        while (!empty() && front().end <= edge + 1) pop_front();
    }

    bool empty() const noexcept { return size_ == 0; }
    Entry& front() noexcept { return ring_[head_]; }
    Entry& back() noexcept { return ring_[(head_ + size_ - 1) & (ring_.size() - 1)]; }
    void pop_front() noexcept { head_ = (head_ + 1) & (ring_.size() - 1); --size_; }
    void pop_back() noexcept { --size_; }
    void push_back(const Entry& e) {
        if (size_ == ring_.size()) grow();
        ring_[(head_ + size_) & (ring_.size() - 1)] = e;
        ++size_;
    }
    void grow() {
        std::vector<Entry> bigger(ring_.empty() ? 8 : ring_.size() * 2);
        for (std::size_t i = 0; i < size_; ++i) bigger[i] = ring_[(head_ + i) & (ring_.size() - 1)];
        ring_.swap(bigger);
        head_ = 0;
    }

    std::vector<Entry> ring_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

// The protected best bid and offer, as a query reports it.
struct ProtectedBbo {
    Price pbb = 0, pbo = 0;  // 0 when none
    std::uint32_t pbb_venues = 0, pbo_venues = 0;
    bool crossed = false, locked = false;
    std::uint32_t version = 0;
};

struct QuoteSide {
    Price price = 0;
    Quantity size = 0;
    bool automated = false;
    Quantity routed = 0;           // shares routed to it since its last update (FAQ 4.08)
    std::uint64_t routed_in = 0;   // the command that last routed to it
};

struct VenueQuote {
    QuoteSide bid, ask;
    bool closed = true;
    bool seen = false;
    std::uint8_t feed = 0;
    std::uint8_t condition = 0;
    Timestamp ts = 0;
};

class ProtectedQuoteTable {
    friend struct SnapshotAccess;

public:
    static constexpr Price kNoLow = std::numeric_limits<Price>::min();
    static constexpr Price kNoHigh = std::numeric_limits<Price>::max();

    // How many venues this table serves (ids 0..count-1); quotes and
    // self-help for other ids are refused (UnknownVenue).
    int venue_count() const noexcept { return venue_count_; }
    void set_venue_count(int n) noexcept { venue_count_ = n < 0 ? 0 : (n > kMaxVenues ? kMaxVenues : n); }
    bool known_venue(int v) const noexcept { return v >= 0 && v < venue_count_; }

    Timestamp flicker_window() const noexcept { return window_; }
    // D5: the window may be shortened, never lengthened beyond one second.
    bool set_flicker_window(Timestamp w) noexcept {
        if (w <= 0 || w > kOneSecond) return false;
        window_ = w;
        return true;
    }

    // Apply one update; the caller has validated it and checked time order.
    void apply(const QuoteUpdate& q, std::uint8_t flags) {
        history_[q.venue][0].make_room();  // the only allocations: before anything changes
        history_[q.venue][1].make_room();
        VenueQuote& v = venues_[q.venue];
        v.seen = true;
        v.closed = (flags & kQuoteClosed) != 0;
        v.feed = q.feed;
        v.condition = q.condition;
        v.ts = q.ts;
        set_side(v.bid, v.closed ? 0 : q.bid_price, v.closed ? 0 : q.bid_size, !(flags & kQuoteBidManual));
        set_side(v.ask, v.closed ? 0 : q.ask_price, v.closed ? 0 : q.ask_size, !(flags & kQuoteAskManual));
        if (flags & kQuoteUnknownCondition) ++unknown_conditions_;
        if ((q.bid_price > 0 && !is_on_grid(q.bid_price, regime_)) ||
            (q.ask_price > 0 && !is_on_grid(q.ask_price, regime_)))
            ++off_grid_quotes_;  // REQ-TICK-04: alert, but the quote stays protected
        history_[q.venue][0].record(q.ts, automated_price(v.bid), false, window_);
        history_[q.venue][1].record(q.ts, automated_price(v.ask), true, window_);
        ++version_;
        recompute();
    }

    // ---- self-help (REQ-SH-01/03): intervals [start, end) per venue
    bool declare_self_help(int venue, Timestamp start, Timestamp end) {
        if (end <= start) return false;
        for (const Interval& i : self_help_[venue])
            if (i.start < end && start < i.end) return false;  // overlaps a declaration
        self_help_[venue].push_back(Interval{start, end});
        ++version_;
        sh_time_ = kNoLow;  // force a recompute at the next refresh
        sh_next_ = kNoLow;
        return true;
    }

    // Close the declaration in force (or the latest open one) at `at`.
    bool revoke_self_help(int venue, Timestamp at) {
        for (Interval& i : self_help_[venue]) {
            if (i.end == kNever && i.start <= at) {
                i.end = at;
                ++version_;
                sh_time_ = kNoLow;
                sh_next_ = kNoLow;
                return true;
            }
        }
        return false;
    }

    bool self_help_active(int venue, Timestamp t) const noexcept {
        for (const Interval& i : self_help_[venue])
            if (i.start <= t && t < i.end) return true;
        return false;
    }

    // Bring the cached self-help state (the mask of venues under self-help and
    // the protected BBO without them) up to time t: cheap unless a boundary was
    // passed. A cache of a pure function of the intervals and t: refreshing
    // for any t changes nothing a later refresh would not.
    void refresh(Timestamp t) {
        if (t >= sh_next_ || t < sh_time_) recompute_self_help(t);
    }

    // A hint, never saved (true after loading): whether the self-help mask may
    // have changed since this was last taken. The book skips re-pricing while
    // it is false; true only costs a check.
    bool take_mask_moved() noexcept {
        const bool moved = mask_moved_;
        mask_moved_ = false;
        return moved;
    }

    // ---- the cached protected BBO (valid after refresh(t))
    Price pbb() const noexcept { return pbb_; }  // 0 when none
    Price pbo() const noexcept { return pbo_; }
    std::uint32_t pbb_venues() const noexcept { return pbb_venues_; }
    std::uint32_t pbo_venues() const noexcept { return pbo_venues_; }
    bool crossed() const noexcept { return pbb_ > 0 && pbo_ > 0 && pbb_ > pbo_; }
    bool locked() const noexcept { return pbb_ > 0 && pbo_ > 0 && pbb_ == pbo_; }
    std::uint32_t self_help_mask() const noexcept { return sh_mask_; }
    std::uint32_t version() const noexcept { return version_; }

    // The hot path: true when a print at P trades through no quote at all.
    bool inside_band(Price p) const noexcept { return p >= band_lo_ && p <= band_hi_; }

    // The best automated away quote on the contra side of a resting order on
    // `side` (the lowest offer for a bid, the highest bid for an offer), self-help
    // venues included and whether or not the market is crossed: what a displayed
    // order would lock or cross if no exception applied (REQ-LC-01). 0 when none.
    Price raw_lock_bound(bool bid_side) const noexcept {
        if (bid_side) return band_hi_ == kNoHigh ? 0 : band_hi_;
        return band_lo_ == kNoLow ? 0 : band_lo_;
    }

    // Protected bids above P and protected offers below P (REQ-TT-01).
    std::uint32_t traded_through(Price p) const noexcept {
        std::uint32_t m = 0;
        for (int v = 0; v < kMaxVenues; ++v) {
            if (bid_eligible(v) && venues_[v].bid.price > p) m |= 1u << v;
            if (ask_eligible(v) && venues_[v].ask.price < p) m |= 1u << v;
        }
        return m;
    }

    // Self-help venues whose automated quote a print at P would have traded through.
    std::uint32_t self_help_traded_through(Price p) const noexcept {
        std::uint32_t m = 0;
        for (int v = 0; v < kMaxVenues; ++v) {
            if (!(sh_mask_ & (1u << v))) continue;
            if (automated_price(venues_[v].bid) > p) m |= 1u << v;
            const Price a = automated_price(venues_[v].ask);
            if (a > 0 && a < p) m |= 1u << v;
        }
        return m;
    }

    // For a venue whose quote a print at P trades through: true when it is the
    // bid (an automated bid above P; a closed or empty side has price 0), else
    // it is the offer.
    bool through_bid(int v, Price p) const noexcept { return venues_[v].bid.price > p && venues_[v].bid.automated; }

    const VenueQuote& venue(int v) const noexcept { return venues_[v]; }
    VenueQuote& venue_mut(int v) noexcept { return venues_[v]; }

    // (b)(8): v displayed, within the window before t, a quote on this side at
    // a price equal or inferior to P.
    bool flicker_covers(int v, bool ask_side, Price p, Timestamp t) {
        const Price worst = history_[v][ask_side ? 1 : 0].least_aggressive(t, window_);
        if (worst <= 0) return false;
        return ask_side ? worst >= p : worst <= p;
    }

    // NBB / NBO over every open, non-empty quote, manual ones included: the
    // SIP's view, used only by the (b)(9) stopped-order test.
    Price nbb() const noexcept {
        Price b = 0;
        for (const VenueQuote& v : venues_)
            if (!v.closed && v.bid.price > 0 && v.bid.size > 0 && v.bid.price > b) b = v.bid.price;
        return b;
    }
    Price nbo() const noexcept {
        Price a = 0;
        for (const VenueQuote& v : venues_)
            if (!v.closed && v.ask.price > 0 && v.ask.size > 0 && (a == 0 || v.ask.price < a)) a = v.ask.price;
        return a;
    }

    bool bid_eligible(int v) const noexcept { return eligible(v, venues_[v].bid); }
    bool ask_eligible(int v) const noexcept { return eligible(v, venues_[v].ask); }

    std::uint64_t unknown_conditions() const noexcept { return unknown_conditions_; }
    std::uint64_t off_grid_quotes() const noexcept { return off_grid_quotes_; }
    void set_regime(TickRegime r) noexcept { regime_ = r; }

private:
    struct Interval {
        Timestamp start, end;
    };

    static Price automated_price(const QuoteSide& s) noexcept {
        return (s.automated && s.price > 0 && s.size > 0) ? s.price : 0;
    }

    bool eligible(int v, const QuoteSide& s) const noexcept {
        return !venues_[v].closed && automated_price(s) > 0 && !(sh_mask_ & (1u << v));
    }

    static void set_side(QuoteSide& s, Price price, Quantity size, bool automated) noexcept {
        s.price = price > 0 && size > 0 ? price : 0;
        s.size = price > 0 && size > 0 ? size : 0;
        s.automated = automated;
        s.routed = 0;  // a new quote answers any route still pending (FAQ 4.08)
    }

    void recompute_self_help(Timestamp t) {
        std::uint32_t mask = 0;
        Timestamp next = kNever;
        for (int v = 0; v < kMaxVenues; ++v) {
            for (const Interval& i : self_help_[v]) {
                if (i.start <= t && t < i.end) mask |= 1u << v;
                if (i.start > t && i.start < next) next = i.start;
                if (i.end > t && i.end < next) next = i.end;
            }
        }
        sh_time_ = t;
        sh_next_ = next;
        if (mask == sh_mask_) return;
        sh_mask_ = mask;
        mask_moved_ = true;
        recompute();
    }

    [[gnu::always_inline]] void recompute() noexcept {
        pbb_ = pbo_ = 0;
        pbb_venues_ = pbo_venues_ = 0;
        band_lo_ = kNoLow;
        band_hi_ = kNoHigh;
        for (int v = 0; v < kMaxVenues; ++v) {
            const VenueQuote& q = venues_[v];
            if (q.closed) continue;
            const Price b = automated_price(q.bid);
            const Price a = automated_price(q.ask);
            // The band includes self-help venues, so a print that would trade
            // through one of them leaves the fast path and is audited as (b)(1).
            if (b > 0 && b > band_lo_) band_lo_ = b;
            if (a > 0 && a < band_hi_) band_hi_ = a;
            if (sh_mask_ & (1u << v)) continue;
            if (b > 0) {
                if (b > pbb_) { pbb_ = b; pbb_venues_ = 0; }
                if (b == pbb_) pbb_venues_ |= 1u << v;
            }
            if (a > 0) {
                if (pbo_ == 0 || a < pbo_) { pbo_ = a; pbo_venues_ = 0; }
                if (a == pbo_) pbo_venues_ |= 1u << v;
            }
        }
    }

    VenueQuote venues_[kMaxVenues];
    QuoteHistory history_[kMaxVenues][2];
    std::vector<Interval> self_help_[kMaxVenues];
    Price pbb_ = 0, pbo_ = 0;
    std::uint32_t pbb_venues_ = 0, pbo_venues_ = 0;
    Price band_lo_ = kNoLow, band_hi_ = kNoHigh;
    std::uint32_t sh_mask_ = 0;
    bool mask_moved_ = true;
    Timestamp sh_time_ = kNoLow;
    Timestamp sh_next_ = kNoLow;
    Timestamp window_ = kOneSecond;
    std::uint32_t version_ = 0;
    std::uint64_t unknown_conditions_ = 0;
    std::uint64_t off_grid_quotes_ = 0;
    TickRegime regime_ = TickRegime::Penny2005;
    int venue_count_ = kMaxVenues;
};

}  // namespace engine
