// The plain structs that cross the Python boundary. Their layout is fixed and
// checked here with static_asserts; engine/dtypes.py declares the matching
// numpy dtypes and tests/test_layout.py checks them against offsetof.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "price.hpp"
#include "types.hpp"

namespace engine {

// One instruction to a book: a new order, cancel, replace, reduce or expire.
// Batch calls take arrays of these; per-order calls fill one on the stack.
struct Command {
    Timestamp ts;              // caller's time, ns; must not go backwards
    OrderId order_id;          // the order concerned (New: its id)
    OrderId new_order_id;      // Replace: the new id (0 keeps the old one)
    Price price;               // limit price in units of $0.0001 (0 for market)
    Quantity quantity;         // New/Replace: order size; Reduce: shares to cancel
    Quantity display_quantity; // reserve order's displayed size (0: all displayed)
    std::uint32_t participant; // self-trade prevention group (0: none)
    std::uint8_t action;       // Action
    std::uint8_t side;         // Side
    std::uint8_t order_type;   // OrderType
    std::uint8_t tif;          // TimeInForce
    std::uint8_t stp;          // StpMode
    std::uint8_t post_only;    // PostOnly
    std::uint16_t flags;       // OrderFlag bits
    std::uint32_t reserved;    // must be 0 (kept for the Reg NMS instructions)
};
static_assert(sizeof(Command) == 64);
static_assert(std::is_standard_layout_v<Command> && std::is_trivially_copyable_v<Command>);
static_assert(offsetof(Command, participant) == 48 && offsetof(Command, flags) == 58);

// One thing that happened. Field use by type:
//   Accepted   order_id, side, price (0 for market), quantity (order size), leaves
//   Rejected   order_id, side, price, quantity as given, reason
//   Fill       order_id = taker, contra_id = maker, side = taker's side, price
//              (the maker's price), quantity, leaves (taker's rest),
//              contra_leaves (maker's rest), liquidity
//   Cancelled  order_id, quantity (shares cancelled), leaves (0), reason
//   Expired    as Cancelled
//   Reduced    order_id, quantity (shares removed), leaves (what is left), reason
//   Replaced   order_id (old id), contra_id (new id), price, quantity = leaves
//              (new size), flags (kEventPriorityKept)
//   Repriced   order_id, price (the new ranked price), leaves, reason
//   Refreshed  order_id, quantity (newly displayed), leaves (total left)
// `fee` (nanodollars) and `compliance_code` belong to the Reg NMS layer and
// are 0 from the plain book.
struct Event {
    std::uint64_t seq;        // per-book sequence number, from 1, no gaps
    Timestamp ts;             // the timestamp of the command that caused it
    OrderId order_id;
    OrderId contra_id;
    Price price;
    Quantity quantity;
    Quantity leaves;
    Quantity contra_leaves;
    std::int64_t fee;
    std::uint16_t reason;     // Reason
    std::uint16_t compliance_code;
    std::uint8_t type;        // EventType
    std::uint8_t side;        // Side
    std::uint8_t liquidity;   // Liquidity
    std::uint8_t flags;       // EventFlag bits
};
static_assert(sizeof(Event) == 80);
static_assert(std::is_standard_layout_v<Event> && std::is_trivially_copyable_v<Event>);
static_assert(offsetof(Event, reason) == 72 && offsetof(Event, flags) == 79);

// One price level as the depth query reports it.
struct LevelView {
    Price price;
    Quantity quantity;        // displayed shares (non-displayed excluded)
    std::uint32_t orders;     // displayed orders at the level
    std::uint32_t reserved;
};
static_assert(sizeof(LevelView) == 24);

// One live order as lookups and snapshots report it.
struct OrderView {
    OrderId order_id;
    Timestamp ts;             // time of the order's current priority
    Price price;
    Quantity leaves;          // everything left: displayed + reserve (+ hidden)
    Quantity displayed;       // shown to the market (0 for a hidden order)
    Quantity reserve;         // reserve not yet displayed
    Quantity filled;          // executed so far
    Quantity display_quantity;// reserve order's display size (0 if not reserve)
    std::uint32_t participant;
    std::uint8_t side;
    std::uint8_t tif;
    std::uint8_t stp;
    std::uint8_t post_only;
    std::uint16_t flags;      // OrderFlag bits
    std::uint16_t reserved;
    std::uint32_t reserved2;
};
static_assert(sizeof(OrderView) == 80);

}  // namespace engine
