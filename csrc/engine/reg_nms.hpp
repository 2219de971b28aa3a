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
};

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
    }
    return Placement{limit, false, false};
}

struct RegNmsState {
    ProtectedQuoteTable table;
    TradeThroughConfig config;
    FeeSchedule fees;
    FeeCapRegime fee_regime = FeeCapRegime::Cap2005;
    bool fees_loaded = false;      // compute fees on fills only once a schedule is loaded
    bool dirty = false;            // configuration changed: re-place re-priced orders
    bool in_rth = true;            // set by Session control events (D4)
    std::uint64_t command = 0;     // the command being processed (for (b)(6))
    std::uint64_t next_route_id = 1;
    std::vector<RepricedOrder> repriced[2];  // per side (0 bids, 1 offers), in arrival order
    Price applied_bound[2] = {0, 0};         // the lock bound each side was last placed against
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
