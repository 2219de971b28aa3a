// The Rule 611 decision for one candidate fill (REQ-TT-01..07, REQ-EXC, REQ-EXM).
//
// Called only when a print would leave the protected band (the fast path is
// ProtectedQuoteTable::inside_band). It finds the set T of protected quotes a
// print at P trades through (by price, whatever the side of the order) and
// clears each one with an exception or exemption, or blocks the fill.
#pragma once

#include <cstdint>

#include "../core/types.hpp"
#include "protected_quotes.hpp"

namespace engine {

struct TradeThroughConfig {
    bool rule611_enabled = true;       // REQ-GEN-01 switch
    bool enforce_outside_rth = true;   // REQ-RTH-02: venue policy outside RTH
    bool subpenny_exemption = true;    // D11, REQ-EXM-01
    bool lock_cross_enabled = true;    // Rule 610(e)
    LockCrossMode default_lock_cross = LockCrossMode::Slide;
};

// A change to the settings (Venue::configure): each field applies when its
// bit is set in `set`; all are checked before any applies.
struct ConfigChange {
    enum Field : std::uint32_t {
        kRule611 = 1u << 0,
        kEnforceOutsideRth = 1u << 1,
        kSubpennyExemption = 1u << 2,
        kLockCrossProtection = 1u << 3,
        kDefaultLockCross = 1u << 4,
        kFlickerWindow = 1u << 5,
        kAll = (1u << 6) - 1,
    };
    std::uint32_t set = 0;
    bool rule611_enabled = true;
    bool enforce_outside_rth = true;
    bool subpenny_exemption = true;
    bool lock_cross_enabled = true;
    std::uint8_t default_lock_cross = 1;  // LockCrossMode: Slide, PriceAdjust or CancelBack
    Timestamp flicker_window = kOneSecond;
};

// The field of a change that is not valid, or nullptr.
constexpr const char* config_violation(const ConfigChange& c) noexcept {
    if ((c.set & ~static_cast<std::uint32_t>(ConfigChange::kAll)) != 0) return "set";
    if ((c.set & ConfigChange::kDefaultLockCross) && (c.default_lock_cross < 1 || c.default_lock_cross > 3))
        return "default_lock_cross";
    if ((c.set & ConfigChange::kFlickerWindow) && (c.flicker_window <= 0 || c.flicker_window > kOneSecond))
        return "flicker_window_ns";
    return nullptr;
}

struct TradeThroughDecision {
    bool allowed = true;
    ComplianceCode code = ComplianceCode::NoTradeThrough;  // the fill's code, or the block code
    std::uint32_t through = 0;    // eligible protected quotes traded through (venue bits)
    std::uint32_t blocked = 0;    // of those, not cleared by anything
    std::uint32_t self_help = 0;  // self-help venues that would have been traded through (b)(1)
    ComplianceCode venue_code[kMaxVenues] = {};  // what cleared each venue in through | self_help
};

// Order-level exceptions (b)(2), (b)(3), (b)(5), (b)(7), (b)(9) (D14).
inline ComplianceCode global_exception(const ProtectedQuoteTable& table, std::uint32_t flags, Side side,
                                       Price p) noexcept {
    if (flags & kFlagIso) return ComplianceCode::IsoReceived;
    if (flags & kFlagNonRegularWay) return ComplianceCode::NonRegularWay;
    if (flags & kFlagAuction) return ComplianceCode::Auction;
    if (flags & kFlagBenchmark) return ComplianceCode::Benchmark;
    if (flags & kFlagStopped) {
        // (b)(9) condition 3: a stopped buy prints below the NBB, a sell above the NBO.
        if (side == Side::Buy && table.nbb() > 0 && p < table.nbb()) return ComplianceCode::Stopped;
        if (side == Side::Sell && table.nbo() > 0 && p > table.nbo()) return ComplianceCode::Stopped;
    }
    return ComplianceCode::None;
}

// REQ-EXM-01: the quote traded through is at or below $1.00 and the print is
// less than $0.01 away from it.
constexpr bool subpenny_exempt(Price quote, Price print) noexcept {
    const Price gap = print > quote ? print - quote : quote - print;
    return quote <= kOneDollar && gap < 100;
}

inline TradeThroughDecision decide_trade_through(ProtectedQuoteTable& table, const TradeThroughConfig& cfg,
                                                 Price p, Timestamp t, Side side, std::uint32_t order_flags,
                                                 bool in_rth, std::uint64_t command) {
    TradeThroughDecision d;
    if (!cfg.rule611_enabled) {
        d.code = ComplianceCode::CheckDisabled;
        return d;
    }
    if (!in_rth && !cfg.enforce_outside_rth) {
        d.code = ComplianceCode::OutsideRth;
        return d;
    }
    if (table.inside_band(p)) {
        d.code = in_rth ? ComplianceCode::NoTradeThrough : ComplianceCode::PolicyOutsideRth;
        return d;
    }
    d.through = table.traded_through(p);
    d.self_help = table.self_help_traded_through(p);
    ComplianceCode global = global_exception(table, order_flags, side, p);
    if (global == ComplianceCode::None && table.crossed()) global = ComplianceCode::CrossedMarket;  // (b)(4)

    for (int v = 0; v < kMaxVenues; ++v) {
        const std::uint32_t bit = 1u << v;
        if (d.self_help & bit) d.venue_code[v] = ComplianceCode::SelfHelp;
        if (!(d.through & bit)) continue;
        const VenueQuote& q = table.venue(v);
        const bool bid = table.through_bid(v, p);
        const QuoteSide& s = bid ? q.bid : q.ask;
        ComplianceCode c = global;
        if (c == ComplianceCode::None && cfg.subpenny_exemption && subpenny_exempt(s.price, p))
            c = ComplianceCode::SubPenny;
        if (c == ComplianceCode::None && s.routed >= s.size)
            c = s.routed_in == command ? ComplianceCode::IsoRouted : ComplianceCode::RoutePending;
        if (c == ComplianceCode::None && table.flicker_covers(v, !bid, p, t)) c = ComplianceCode::Flicker;
        if (c == ComplianceCode::None) d.blocked |= bit;
        d.venue_code[v] = c;
    }
    if (d.blocked) {
        d.allowed = false;
        d.code = in_rth ? ComplianceCode::BlockedRule611 : ComplianceCode::BlockedPolicy;
        return d;
    }
    // One code for the fill: the common one, or Mixed (the TradeThrough audit
    // events carry each venue's own code).
    ComplianceCode common = ComplianceCode::None;
    for (int v = 0; v < kMaxVenues; ++v) {
        if (!((d.through | d.self_help) & (1u << v))) continue;
        if (common == ComplianceCode::None) common = d.venue_code[v];
        else if (common != d.venue_code[v]) common = ComplianceCode::Mixed;
    }
    if (common == ComplianceCode::None) common = ComplianceCode::NoTradeThrough;
    d.code = in_rth ? common : ComplianceCode::PolicyOutsideRth;
    return d;
}

}  // namespace engine
