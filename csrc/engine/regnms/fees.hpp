// Access fees and their caps, Rule 610(c) (REQ-FEE-01..02, D13).
//
// Fees are integers in nanodollars (n$) per share. At or above $1.00 a fee is
// a flat n$ per share; below $1.00 it is a rate on the quotation price, in
// parts per million of the price (0.3% = 3000 ppm). One unit ($0.0001) is
// 100,000 n$, so the per-share fee below $1.00 is price_u * ppm / 10 n$.
#pragma once

#include <cstdint>

#include "../core/price.hpp"

namespace engine {

enum class FeeCapRegime : std::uint8_t {
    Cap2005 = 0,  // $0.003 per share; 0.3% of the quote under $1.00 (in force)
    Cap2024 = 1,  // $0.001 per share; 0.1% (amended, compliance deferred)
};

struct FeeCap {
    std::int64_t per_share_nd;  // at or above $1.00
    std::int64_t rate_ppm;      // below $1.00
};

constexpr FeeCap fee_cap(FeeCapRegime r) noexcept {
    return r == FeeCapRegime::Cap2024 ? FeeCap{1'000'000, 1'000} : FeeCap{3'000'000, 3'000};
}

// A venue's schedule: what a taker pays, what a maker receives.
struct FeeSchedule {
    std::int64_t take_fee_nd = 0;     // per share, at or above $1.00
    std::int64_t take_rate_ppm = 0;   // of the price, below $1.00
    std::int64_t make_rebate_nd = 0;  // per share paid to the maker, at or above $1.00
    std::int64_t make_rate_ppm = 0;   // of the price paid to the maker, below $1.00
};

// Which field of a schedule breaks the regime's cap, or nullptr when none does.
// The fee charged for taking is what Rule 610(c) caps. Every other field is
// bounded by the same cap in absolute value (DESIGN DECISION): a taker rebate
// (negative fee), a maker rebate and a maker fee are all paid out of or into
// capped access fees, so none can exceed the cap; and with every field within
// the cap, fee x shares stays far inside int64 (3e6 n$ x 1e9 shares).
constexpr const char* fee_cap_violation(const FeeSchedule& s, FeeCapRegime r) noexcept {
    const FeeCap cap = fee_cap(r);
    if (s.take_fee_nd > cap.per_share_nd || s.take_fee_nd < -cap.per_share_nd) return "take_fee_nd";
    if (s.take_rate_ppm > cap.rate_ppm || s.take_rate_ppm < -cap.rate_ppm) return "take_rate_ppm";
    if (s.make_rebate_nd > cap.per_share_nd || s.make_rebate_nd < -cap.per_share_nd) return "make_rebate_nd";
    if (s.make_rate_ppm > cap.rate_ppm || s.make_rate_ppm < -cap.rate_ppm) return "make_rate_ppm";
    return nullptr;
}

constexpr bool is_known_fee_regime(std::uint8_t r) noexcept { return r <= 1; }

// Per-share amount at quotation price p: flat at or above $1.00, a rate below.
constexpr std::int64_t per_share_nd(Price p, std::int64_t flat_nd, std::int64_t rate_ppm) noexcept {
    return p >= kOneDollar ? flat_nd : p * rate_ppm / 10;
}

static_assert(per_share_nd(9999, 3'000'000, 3'000) == 2'999'700);  // $0.9999: $0.0029997
static_assert(per_share_nd(5000, 3'000'000, 3'000) == 1'500'000);  // $0.50: $0.0015
static_assert(per_share_nd(500, 3'000'000, 3'000) == 150'000);     // $0.05
static_assert(per_share_nd(5000, 1'000'000, 1'000) == 500'000);    // amended, $0.50: $0.0005

}  // namespace engine
