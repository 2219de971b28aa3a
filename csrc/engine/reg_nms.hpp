// What a book needs to trade under Regulation NMS: the protected-quote table,
// the Rule 611 / 610(e) configuration, the session state, the fee schedule,
// and the orders the engine ranks away from their limits (slid, adjusted, or
// hidden orders ranked at the locking price), which re-price as quotes move.
//
// The matching and order-handling logic that uses it lives in book.hpp; the
// pure rules live in protected_quotes.hpp, trade_through.hpp and fees.hpp.
#pragma once

#include <cstdint>
#include <vector>

#include "fees.hpp"
#include "price.hpp"
#include "protected_quotes.hpp"
#include "trade_through.hpp"
#include "types.hpp"

namespace engine {

// Why the engine ranks a resting order away from its limit.
enum class RepriceKind : std::uint8_t {
    Slide = 1,         // ranked at the locking price, displayed one tick away (REQ-LC-02)
    Adjust = 2,        // ranked and displayed one tick away (REQ-LC-03)
    HiddenAtLock = 3,  // non-displayed, ranked at the locking price (REQ-OH-02)
    CancelBack = 4,    // resting at its limit under an exception; cancelled once it lapses (REQ-LC-04)
};

constexpr bool is_known_reprice_kind(std::uint8_t k) noexcept { return k >= 1 && k <= 4; }

// An order whose placement depends on the protected quotes: ranked away from
// its limit (re-priced), or resting at its limit while it locks or crosses a
// quote that an exception leaves out of the lock/cross test (watched).
struct RepricedOrder {
    OrderId id;
    std::uint32_t slot;
    RepriceKind kind;
    Price limit;  // the order's own limit, which it moves back toward
};

// Where a resting order on `side` with limit `limit` may rank and display,
// given the lock bound (the PBO for a bid, the PBB for an offer; 0 = none).
struct Placement {
    Price rank;
    bool display_offset;  // displayed one tick less aggressive than rank
    bool repriced;        // ranked away from its limit
};

constexpr bool locks_or_crosses(Side side, Price limit, Price bound) noexcept {
    return bound > 0 && (side == Side::Buy ? limit >= bound : limit <= bound);
}

// One tick less aggressive than p for this side (0 when there is none).
constexpr Price less_aggressive(Side side, Price p, TickRegime r) noexcept {
    const Price q = side == Side::Buy ? prev_valid(p, r) : next_valid(p, r);
    return (q <= 0 || q > kMaxPrice) ? 0 : q;
}

constexpr Placement place(Side side, Price limit, Price bound, RepriceKind kind, TickRegime r) noexcept {
    if (!locks_or_crosses(side, limit, bound)) return Placement{limit, false, false};
    if (!is_on_grid(bound, r)) {
        // REQ-TICK-04: never rank at an off-grid price. The nearest grid price
        // on our side of an off-grid quote does not lock it, so show it there.
        const Price p = side == Side::Buy ? floor_valid(bound, r) : ceil_valid(bound, r);
        if (p <= 0 || p > kMaxPrice) return Placement{0, false, true};
        return Placement{p, false, p != limit};
    }
    switch (kind) {
        case RepriceKind::Slide: return Placement{bound, true, true};
        case RepriceKind::Adjust: return Placement{less_aggressive(side, bound, r), false, true};
        case RepriceKind::HiddenAtLock: return Placement{bound, false, true};
        case RepriceKind::CancelBack: return Placement{0, false, true};  // nowhere: the caller cancels it
    }
    return Placement{limit, false, false};
}

// A change to the Reg NMS settings (Book::configure): each field applies when
// its bit is set in `set`; all are checked before any applies.
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

// The protected best bid and offer, as a query reports it.
struct ProtectedBbo {
    Price pbb = 0, pbo = 0;  // 0 when none
    std::uint32_t pbb_venues = 0, pbo_venues = 0;
    bool crossed = false, locked = false;
    std::uint32_t version = 0;
};

struct RegNmsState {
    ProtectedQuoteTable table;
    TradeThroughConfig config;
    FeeSchedule fees;
    FeeCapRegime fee_regime = FeeCapRegime::Cap2005;
    bool fees_loaded = false;      // compute fees on fills only once a schedule is loaded
    bool in_rth = true;            // set by Session control events (D4)
    std::uint64_t command = 0;     // the command being processed (for (b)(6))
    std::uint64_t next_route_id = 1;
    std::vector<RepricedOrder> repriced[2];  // per side (0 bids, 1 offers), in arrival order
    Price applied_bound[2] = {0, 0};         // the lock bound each side was last placed against
    // A hint, never saved: the configuration changed since re-pricing last ran
    // (with the table's mask hint, what lets sync skip the re-pricing check).
    // True is always safe: the check compares each side's lock bound with the
    // one it was placed against.
    bool reprice_maybe_due = true;
    std::vector<RepricedOrder> scratch;

    static int side_index(Side s) noexcept { return s == Side::Buy ? 0 : 1; }

    // The lock bound for resting orders on `side`: the protected offer for a
    // bid, the protected bid for an offer. None while the protected market is
    // crossed (REQ-LC-01(b)) or Rule 610(e) is switched off.
    Price lock_bound(Side side) const noexcept {
        if (!config.lock_cross_enabled || table.crossed()) return 0;
        return side == Side::Buy ? table.pbo() : table.pbb();
    }
};

}  // namespace engine
