// The enumerations shared by the core and the Python API. Their numeric values
// are part of the public interface: engine/enums.py mirrors them one for one
// and tests/test_layout.py checks that the two agree.
#pragma once

#include <cstdint>

namespace engine {

enum class Side : std::uint8_t { Buy = 1, Sell = 2 };

enum class OrderType : std::uint8_t { Limit = 1, Market = 2 };

enum class TimeInForce : std::uint8_t {
    Day = 1,  // rests; expired by Book::expire at the end of the day
    Gtc = 2,  // rests until cancelled
    Ioc = 3,  // executes what it can at once; the rest is cancelled
    Fok = 4,  // executes in full at once or not at all
};

// What a post-only order does when it would remove liquidity on arrival.
enum class PostOnly : std::uint8_t {
    None = 0,     // not post-only
    Reject = 1,   // reject the order
    Reprice = 2,  // rest one tick less aggressive than the best contra price
};

// Self-trade prevention: what happens when an incoming order would execute
// against a resting order of the same participant. The incoming order's mode
// decides; participant 0 means "no participant" and never self-matches.
enum class StpMode : std::uint8_t {
    None = 0,
    CancelNewest = 1,  // cancel the rest of the incoming order
    CancelOldest = 2,  // cancel the resting order, keep matching
    CancelBoth = 3,    // cancel both
    Decrement = 4,     // reduce both by the smaller size; the smaller one is cancelled
};

// Bits of Command::flags.
enum OrderFlag : std::uint16_t {
    kFlagHidden = 1u << 0,  // non-displayed
    kKnownOrderFlags = kFlagHidden,
};

// What a Command asks for.
enum class Action : std::uint8_t {
    New = 1,
    Cancel = 2,
    Replace = 3,
    Reduce = 4,
    Expire = 5,  // expire every resting order whose time in force is `tif`
};

enum class EventType : std::uint8_t {
    Accepted = 1,   // a new order passed validation (before any fill)
    Rejected = 2,   // a command was refused; the book is unchanged
    Fill = 3,       // one execution between the incoming and a resting order
    Cancelled = 4,  // an order (or its unexecuted rest) left the book
    Expired = 5,    // a resting order reached the end of its time in force
    Reduced = 6,    // an order's quantity went down, keeping its priority
    Replaced = 7,   // an order's price and/or quantity (and maybe id) changed
    Repriced = 8,   // the engine ranked an order at another price
    Refreshed = 9,  // a reserve order's display was refilled (priority lost)
};

// Bits of Event::flags.
enum EventFlag : std::uint8_t {
    kEventPriorityKept = 1u << 0,  // Replaced/Reduced: time priority unchanged
    kEventTakerHidden = 1u << 1,   // Fill: the incoming order is non-displayed
};

// Which kind of resting liquidity a fill executed against.
enum class Liquidity : std::uint8_t {
    None = 0,
    MakerDisplayed = 1,
    MakerHidden = 2,
};

// Why an event happened: the reject reason of a Rejected event, the cancel
// reason of Cancelled/Expired/Reduced, the cause of a Repriced event.
enum class Reason : std::uint16_t {
    None = 0,
    // --- rejects: the command was refused and the book is unchanged
    InvalidOrderId = 1,          // order id 0 is reserved
    DuplicateOrderId = 2,        // the id is live in this book
    UnknownOrderId = 3,          // cancel/replace/reduce of an id not in the book
    InvalidSide = 4,
    InvalidOrderType = 5,
    InvalidTimeInForce = 6,      // unknown value, or DAY/GTC on a market order
    InvalidQuantity = 7,         // zero or negative
    QuantityOutOfRange = 8,      // above kMaxQuantity
    InvalidPrice = 9,            // zero or negative limit, or a price on a market order
    PriceOutOfRange = 10,        // above kMaxPrice
    PriceNotOnTick = 11,         // off the Rule 612 grid (never rounded)
    InvalidDisplayQuantity = 12, // negative, or not below the order quantity
    InvalidPostOnly = 13,
    InvalidStpMode = 14,
    InvalidFlags = 15,
    IncompatibleInstructions = 16, // e.g. market + post-only, IOC + post-only
    NoLiquidity = 17,            // market order with no contra side
    PostOnlyWouldRemove = 18,    // post-only (reject mode) would execute
    TimestampRegression = 19,    // earlier than the book's last command
    InvalidAction = 20,
    QuantityExceedsLeaves = 21,  // reduce by more than the order has left
    // --- why an order (or part of one) left the book
    UserCancel = 40,
    IocRemainder = 41,           // IOC / market rest after matching
    FokNotFillable = 42,
    StpCancelNewest = 43,
    StpCancelOldest = 44,
    StpCancelBoth = 45,
    StpDecrement = 46,
    EndOfDay = 47,
    // --- why the engine re-priced an order
    PostOnlyRepriced = 60,
};

}  // namespace engine
