// One message of a venue's own order flow, normalised from LOBSTER or Nasdaq
// TotalView-ITCH 5.0, for replay. 48 bytes; decoders fill arrays of these.
#pragma once

#include <cstdint>
#include <type_traits>

#include "price.hpp"

namespace engine {

enum class FeedKind : std::uint8_t {
    None = 0,
    Add = 1,              // a new displayed order (LOBSTER 1; ITCH A, F)
    Cancel = 2,           // part of an order cancelled (LOBSTER 2; ITCH X)
    Delete = 3,           // an order removed (LOBSTER 3; ITCH D)
    Execute = 4,          // an order executed in part or in full (LOBSTER 4; ITCH E)
    ExecuteAtPrice = 5,   // executed at another price than the order's (ITCH C)
    Replace = 6,          // an order replaced by a new one (ITCH U): priority lost
    HiddenExecution = 7,  // a trade against non-displayed interest (LOBSTER 5; ITCH P)
    CrossTrade = 8,       // an auction print (LOBSTER 6; ITCH Q)
    TradingHalt = 9,      // trading halted / resumed (LOBSTER 7; ITCH H)
    SystemEvent = 10,     // start/end of messages, hours (ITCH S)
    StockDirectory = 11,  // a symbol's locate code (ITCH R)
};

struct FeedMessage {
    Timestamp ts;          // ns after midnight
    std::uint64_t order_id;      // 0 when none (LOBSTER uses 0 and -1 for none)
    std::uint64_t new_order_id;  // Replace: the new order's id
    Price price;           // the order's price, or the execution / cross price
    Quantity quantity;     // shares added, cancelled, executed or replaced to
    std::uint16_t locate;  // ITCH stock locate (LOBSTER: 0)
    std::uint8_t kind;     // FeedKind
    std::uint8_t side;     // Side of the order (0 when none)
    std::uint8_t code;     // ITCH system event code, trading state, cross type, printable flag
    std::uint8_t reserved[3];
};
static_assert(sizeof(FeedMessage) == 48);
static_assert(std::is_trivially_copyable_v<FeedMessage>);

}  // namespace engine
