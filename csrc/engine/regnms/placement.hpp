// Where a displayed order may rest without locking or crossing a protected
// quotation (Rule 610(e), REQ-LC-01..06): slide, adjust or cancel back, on the
// Rule 612 grid. Pure functions of the order, the lock bound and the grid;
// the Venue (venue.hpp) applies them.
#pragma once

#include <cstdint>

#include "../core/book_state.hpp"
#include "../core/price.hpp"
#include "../core/types.hpp"

namespace engine {

// How the Venue places a resting order that would lock or cross.
enum class RepriceKind : std::uint8_t {
    Slide = 1,         // ranked at the locking price, displayed one tick away (REQ-LC-02)
    Adjust = 2,        // ranked and displayed one tick away (REQ-LC-03)
    HiddenAtLock = 3,  // non-displayed, ranked at the locking price (REQ-OH-02)
    CancelBack = 4,    // resting at its limit under an exception; cancelled once it lapses (REQ-LC-04)
};

constexpr bool is_known_reprice_kind(std::uint8_t k) noexcept { return k >= 1 && k <= 4; }

// How an order of this kind is placed when it would lock or cross.
constexpr RepriceKind reprice_kind(bool hidden, LockCrossMode mode, bool post_only) noexcept {
    if (hidden) return RepriceKind::HiddenAtLock;  // REQ-OH-02, whatever the mode
    if (post_only || mode == LockCrossMode::PriceAdjust) return RepriceKind::Adjust;  // REQ-LC-06
    if (mode == LockCrossMode::CancelBack) return RepriceKind::CancelBack;
    return RepriceKind::Slide;
}

// A bid at `limit` locks or crosses an offer at `bound` (an offer, a bid); 0: none.
constexpr bool locks_or_crosses(Side side, Price limit, Price bound) noexcept {
    return bound > 0 && (side == Side::Buy ? limit >= bound : limit <= bound);
}

// Where a resting order on `side` with limit `limit` may rank and display,
// given the lock bound (the protected offer for a bid, the protected bid for
// an offer; 0 = none). rank 0: nowhere.
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

// A price the engine derives never locks or crosses our own contra side: a
// fill there may be blocked (it would trade through), so resting there would
// lock the book against itself. Such a placement is capped one tick less
// aggressive than our best contra price (`contra_best`, 0: none), and stays
// re-priced.
constexpr Placement clear_of_own_book(Side side, Placement pl, Price contra_best, TickRegime r) noexcept {
    if (contra_best == 0 || !crosses(side, pl.rank, contra_best)) return pl;
    return Placement{less_aggressive(side, contra_best, r), false, true};
}

}  // namespace engine
