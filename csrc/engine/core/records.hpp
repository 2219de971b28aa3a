// Every plain struct that crosses the Python boundary. Their layout is fixed
// and checked here with static_asserts; engine/dtypes.py builds the matching
// numpy dtypes from introspect.hpp's tables of these fields.
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
    std::uint8_t lock_cross;   // LockCrossMode
    std::uint8_t reserved;     // must be 0
    std::uint32_t flags;       // OrderFlag bits
};
static_assert(sizeof(Command) == 64);
static_assert(std::is_standard_layout_v<Command> && std::is_trivially_copyable_v<Command>);
static_assert(offsetof(Command, participant) == 48 && offsetof(Command, flags) == 60);

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
// With the Reg NMS layer (a protected-quote table attached):
//   Fill       also compliance_code (what allowed it), fee (taker's fee,
//              nanodollars), aux (maker's rebate, nanodollars), quote_version
//   Repriced   also aux = the displayed price (REQ-LC-02 sliding)
//   Route      order_id = the parent order, contra_id = the child's id,
//              venues = the destination's bit, price = the child's limit (the
//              away quote's price), quantity = the child's size, leaves =
//              parent's rest, aux = the quote's displayed size, reason
//   Blocked    order_id = taker, contra_id = the resting order, price, quantity
//              = shares it tried to execute, venues = the blocking venues,
//              compliance_code = BlockedRule611 / BlockedPolicy, quote_version
//   TradeThrough order_id = taker, contra_id = resting order, price = the
//              print, venues = the one venue, side = the quote's side,
//              aux = the quote's price, compliance_code = what cleared it
//   Session    reason = RthStart / RthEnd
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
    std::int64_t aux;
    std::uint32_t venues;         // bit v set: venue v concerned
    std::uint32_t quote_version;  // protected-quote table version in force (REQ-PQ-05)
    std::uint16_t reason;     // Reason
    std::uint16_t compliance_code;  // ComplianceCode
    std::uint8_t type;        // EventType
    std::uint8_t side;        // Side
    std::uint8_t liquidity;   // Liquidity
    std::uint8_t flags;       // EventFlag bits
};
static_assert(sizeof(Event) == 96);
static_assert(std::is_standard_layout_v<Event> && std::is_trivially_copyable_v<Event>);
static_assert(offsetof(Event, reason) == 88 && offsetof(Event, flags) == 95);

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
    Price price;              // the price it is ranked (and executes) at
    Price display_price;      // the price shown (differs when slid); 0 if hidden
    Price limit_price;        // its own limit (differs when slid or adjusted)
    Quantity leaves;          // everything left: displayed + reserve (+ hidden)
    Quantity displayed;       // shown to the market (0 for a hidden order)
    Quantity reserve;         // reserve not yet displayed
    Quantity filled;          // executed so far
    Quantity display_quantity;// reserve order's display size (0 if not reserve)
    std::uint32_t participant;
    std::uint32_t flags;      // OrderFlag bits
    std::uint8_t side;
    std::uint8_t tif;
    std::uint8_t stp;
    std::uint8_t post_only;
    std::uint8_t lock_cross;  // LockCrossMode
    std::uint8_t repriced;    // 1 while the engine ranks it away from its limit
    std::uint16_t reserved;
};
static_assert(sizeof(OrderView) == 96);

// One away venue's new best bid and offer (the Reg NMS layer's input). 48
// bytes; batch calls take arrays of these.
struct QuoteUpdate {
    Timestamp ts;          // local receipt time, ns (REQ-PX-03)
    Price bid_price;       // 0 = no bid
    Quantity bid_size;     // shares (REQ: never assume round lots of 100)
    Price ask_price;       // 0 = no offer
    Quantity ask_size;
    std::uint8_t venue;    // 0..kMaxVenues-1
    std::uint8_t feed;     // Feed
    std::uint8_t condition;  // the raw quote condition character (0 = none)
    std::uint8_t flags;    // QuoteFlag bits, used as given for Feed::Direct
    std::uint32_t reserved;  // must be 0
};
static_assert(sizeof(QuoteUpdate) == 48);
static_assert(std::is_standard_layout_v<QuoteUpdate> && std::is_trivially_copyable_v<QuoteUpdate>);
static_assert(offsetof(QuoteUpdate, venue) == 40 && offsetof(QuoteUpdate, reserved) == 44);

// One message of a venue's own order flow, normalised from LOBSTER or Nasdaq
// TotalView-ITCH 5.0, for replay. 48 bytes; decoders fill arrays of these.
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
static_assert(std::is_standard_layout_v<FeedMessage> && std::is_trivially_copyable_v<FeedMessage>);
static_assert(offsetof(FeedMessage, locate) == 40 && offsetof(FeedMessage, code) == 44);

}  // namespace engine
