// Prices on the Rule 612 grid.
//
// A price is an int64 count of units of $0.0001 ("u"): $10.05 == 100500u,
// $1.00 == 10000u. Rule 612 allows any whole unit below $1.00 and a multiple
// of the regime's tick at or above $1.00 ($1.00 itself is in the upper regime,
// so $1.0001 is off the grid and $0.9999 is on it).
#pragma once

#include <cstdint>

namespace engine {

using Price = std::int64_t;
using Quantity = std::int64_t;
using Timestamp = std::int64_t;  // nanoseconds, supplied by the caller
using OrderId = std::uint64_t;

inline constexpr Price kOneDollar = 10000;
// Highest price the engine accepts: $10,000,000.0000. Large enough for any
// listed US equity, small enough that price * quantity stays inside int64.
inline constexpr Price kMaxPrice = 100'000'000'000;
// Largest order (and so largest resting quantity) the engine accepts.
inline constexpr Quantity kMaxQuantity = 1'000'000'000;

enum class TickRegime : std::uint8_t {
    Penny2005 = 0,      // 100u at or above $1.00 (Rule 612 as adopted in 2005)
    HalfPenny2024 = 1,  // 50u at or above $1.00 (the 2024 amendment's tier)
};

constexpr bool is_known_regime(std::uint8_t r) noexcept { return r <= 1; }

// The minimum price variation at or above $1.00.
constexpr Price tick_above_dollar(TickRegime r) noexcept {
    return r == TickRegime::HalfPenny2024 ? 50 : 100;
}

// The minimum price variation that applies at price p.
constexpr Price tick_at(Price p, TickRegime r) noexcept {
    return p >= kOneDollar ? tick_above_dollar(r) : 1;
}

// True when p is a positive price on the grid and within the engine's range.
constexpr bool is_valid_price(Price p, TickRegime r) noexcept {
    if (p <= 0 || p > kMaxPrice) return false;
    return p < kOneDollar || p % tick_above_dollar(r) == 0;
}

constexpr bool is_on_grid(Price p, TickRegime r) noexcept {
    return p < kOneDollar || p % tick_above_dollar(r) == 0;
}

// Smallest grid price strictly greater than p (REQ-LC-02's next_valid).
constexpr Price next_valid(Price p, TickRegime r) noexcept {
    if (p < kOneDollar) return p + 1;  // 9999 -> 10000 is itself on the grid
    const Price t = tick_above_dollar(r);
    return (p / t + 1) * t;
}

// Largest grid price strictly less than p (REQ-LC-02's prev_valid);
// 0 when there is none. prev_valid(10000) == 9999 (D9).
constexpr Price prev_valid(Price p, TickRegime r) noexcept {
    if (p <= kOneDollar) return p > 1 ? p - 1 : 0;
    const Price t = tick_above_dollar(r);
    return ((p - 1) / t) * t;
}

// Largest grid price <= p, and smallest grid price >= p: the "round toward the
// less aggressive price" helpers for engine-derived prices (REQ-TICK-03/04).
constexpr Price floor_valid(Price p, TickRegime r) noexcept {
    return is_on_grid(p, r) ? p : prev_valid(p, r);
}
constexpr Price ceil_valid(Price p, TickRegime r) noexcept {
    return is_on_grid(p, r) ? p : next_valid(p, r);
}

// The tick index maps the non-uniform grid onto consecutive integers, so a
// price ladder can be a dense array across the $1.00 boundary:
// idx(p) = p below 10000u, 10000 + (p - 10000) / tick at or above.
// Defined for grid prices; an off-grid price maps to the index of floor_valid.
constexpr std::int64_t tick_index(Price p, TickRegime r) noexcept {
    if (p < kOneDollar) return p;
    return kOneDollar + (p - kOneDollar) / tick_above_dollar(r);
}

constexpr Price price_at_index(std::int64_t i, TickRegime r) noexcept {
    if (i < kOneDollar) return i;
    return kOneDollar + (i - kOneDollar) * tick_above_dollar(r);
}

static_assert(prev_valid(10000, TickRegime::Penny2005) == 9999);
static_assert(next_valid(9999, TickRegime::Penny2005) == 10000);
static_assert(next_valid(10000, TickRegime::HalfPenny2024) == 10050);
static_assert(prev_valid(100050, TickRegime::HalfPenny2024) == 100000);
static_assert(!is_valid_price(10001, TickRegime::Penny2005));
static_assert(is_valid_price(9999, TickRegime::Penny2005));
static_assert(tick_index(10100, TickRegime::Penny2005) == 10001);
static_assert(price_at_index(tick_index(252400, TickRegime::Penny2005), TickRegime::Penny2005) == 252400);

}  // namespace engine
