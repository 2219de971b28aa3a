// A book as one row of a LOBSTER orderbook file: `levels` x (ask price, ask
// size, bid price, bid size), best first, displayed shares only; a level a side
// lacks is LOBSTER's dummy (ask price 9999999999, bid price -9999999999, size 0).
// Shared by book building's states (replay.hpp) and the LOBSTER writer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../core/book.hpp"

namespace engine {

inline constexpr std::int64_t kLobsterNoAsk = 9'999'999'999, kLobsterNoBid = -9'999'999'999;

// `scratch` holds at least `levels` entries.
inline void lobster_book_row(const Book& b, std::size_t levels, LevelView* scratch, std::int64_t* row) noexcept {
    for (Side side : {Side::Sell, Side::Buy}) {
        const std::size_t off = side == Side::Sell ? 0 : 2;
        const std::size_t k = levels == 1 ? (b.best(side, scratch) ? 1 : 0) : b.depth(side, scratch, levels);
        for (std::size_t i = 0; i < levels; ++i) {
            std::int64_t* cell = row + 4 * i + off;
            if (i < k) {
                cell[0] = scratch[i].price;
                cell[1] = scratch[i].quantity;
            } else {
                cell[0] = side == Side::Sell ? kLobsterNoAsk : kLobsterNoBid;
                cell[1] = 0;
            }
        }
    }
}

}  // namespace engine
