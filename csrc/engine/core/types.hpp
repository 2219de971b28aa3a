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

// A new order's time in force when the caller gives none: DAY for a limit
// order, IOC for a market order (which may not rest).
constexpr TimeInForce default_tif(OrderType t) noexcept {
    return t == OrderType::Market ? TimeInForce::Ioc : TimeInForce::Day;
}

// Bits of Command::flags: instructions and Rule 611 attestations (D14).
enum OrderFlag : std::uint32_t {
    kFlagHidden = 1u << 0,         // non-displayed
    kFlagRoutable = 1u << 1,       // may route ISOs to better-priced protected quotes (D7)
    kFlagIso = 1u << 2,            // an incoming intermarket sweep order: (b)(5)
    kFlagNonRegularWay = 1u << 3,  // not a regular-way contract: (b)(2)
    kFlagAuction = 1u << 4,        // single-priced opening/reopening/closing print: (b)(3)
    kFlagBenchmark = 1u << 5,      // benchmark (e.g. VWAP) execution: (b)(7)
    kFlagStopped = 1u << 6,        // stopped customer order: (b)(9)
    kKnownOrderFlags = (1u << 7) - 1,
    kGlobalExceptionFlags = kFlagNonRegularWay | kFlagAuction | kFlagBenchmark | kFlagStopped,
};

// What a displayed order does when it would lock or cross a protected quote
// on resting (Rule 610(e), REQ-LC-02..04). Hidden orders are always ranked at
// the locking price (REQ-OH-02); Day ISOs rest at their limit (REQ-ISOIN-03).
enum class LockCrossMode : std::uint8_t {
    Default = 0,      // the venue's default (Slide unless configured)
    Slide = 1,        // rank at the locking price, display one tick less aggressive
    PriceAdjust = 2,  // rank and display one tick less aggressive
    CancelBack = 3,   // reject (or cancel the rest) with WouldLockCross
};

// Why a fill was allowed, or why it was not (D15, REQ-AUD-01).
enum class ComplianceCode : std::uint16_t {
    None = 0,               // plain book: no protected-quote check
    NoTradeThrough = 1,     // inside the protected BBO (REQ-TT-03)
    SelfHelp = 2,           // (b)(1): only self-help venues' quotes were traded through
    NonRegularWay = 3,      // (b)(2)
    Auction = 4,            // (b)(3)
    CrossedMarket = 5,      // (b)(4): PBB > PBO
    IsoReceived = 6,        // (b)(5)
    IsoRouted = 7,          // (b)(6): full-size ISOs routed to every quote traded through
    Benchmark = 8,          // (b)(7)
    Flicker = 9,            // (b)(8): one-second look-back
    Stopped = 10,           // (b)(9)
    SubPenny = 11,          // the 2006 sub-penny exemption (REQ-EXM-01)
    RoutePending = 12,      // FAQ 4.08: the quote was already routed to for its full size
    OutsideRth = 13,        // outside regular trading hours, check switched off there
    PolicyOutsideRth = 14,  // outside RTH, checked as venue policy (D4)
    CheckDisabled = 15,     // Rule 611 checking switched off
    Mixed = 16,             // several quotes traded through, cleared by different codes
    BlockedRule611 = 20,    // a Blocked event: the fill would trade through
    BlockedPolicy = 21,     // a Blocked event outside RTH under venue policy
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
    Route = 10,     // an ISO sent to an away venue for the order (REQ-ISOOUT-01)
    Blocked = 11,   // a fill was not committed: it would trade through (REQ-AUD-01)
    TradeThrough = 12,  // audit: one away quote an allowed fill traded through, and why
    Session = 13,   // regular trading hours started or ended (D4)
};

// Away venues a book can know: ids 0..31, so that one bit each fits in
// Event::venues.
inline constexpr int kMaxVenues = 32;

// Where a quote update's condition code comes from (REQ-FEED-01).
enum class Feed : std::uint8_t {
    Direct = 0,  // flags are given explicitly in QuoteUpdate::flags
    Cqs = 1,     // CTA Quotation System (Tapes A and B): condition codes per REQ-FEED-01
    Uqdf = 2,    // UTP Quotation Data Feed (Tape C)
};

// Bits of QuoteUpdate::flags (and of what condition_flags() derives).
enum QuoteFlag : std::uint8_t {
    kQuoteBidManual = 1u << 0,  // bid is manual or slow: not protected
    kQuoteAskManual = 1u << 1,  // ask is manual or slow: not protected
    kQuoteClosed = 1u << 2,     // venue closed / not open: no quote at all
    kQuoteUnknownCondition = 1u << 3,  // the code is not in the table: protected, and alerted
};

// What one message of a venue's own order flow is (FeedMessage::kind).
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
    Modify = 12,          // an order's new price and size, same id (Databento MBO M): priority kept
                          // only when the price stays and the size goes down
    Clear = 13,           // every order of the book removed (Databento MBO R)
    Trade = 14,           // an aggressor's trade; the book changes by later messages (Databento MBO T)
    Fill = 15,            // a resting order's fill; likewise (Databento MBO F)
};

// Bits of Event::flags.
enum EventFlag : std::uint8_t {
    kEventPriorityKept = 1u << 0,  // Replaced/Reduced/Repriced: time priority unchanged
    kEventTakerHidden = 1u << 1,   // Fill: the incoming order is non-displayed
    kEventIso = 1u << 2,           // Fill of an incoming ISO, or a Route that is an ISO
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
    IsoRequiresLimit = 22,       // REQ-ISOIN-01
    WouldLockCross = 23,         // cancel-back: it would lock or cross a protected quote
    UnknownVenue = 24,           // a quote or self-help call for a venue id out of range
    InvalidQuote = 25,           // negative price or size, or an unknown feed
    InvalidLockCrossMode = 26,
    InvalidSelfHelp = 27,        // revoking self-help that is not declared
    // --- why an order (or part of one) left the book
    UserCancel = 40,
    IocRemainder = 41,           // IOC / market rest after matching
    FokNotFillable = 42,
    StpCancelNewest = 43,
    StpCancelOldest = 44,
    StpCancelBoth = 45,
    StpDecrement = 46,
    EndOfDay = 47,
    WouldTradeThrough = 48,      // stopped by the Rule 611 check (IOC rest, FOK)
    // --- why the engine re-priced an order
    PostOnlyRepriced = 60,
    Slid = 61,           // ranked at the locking price, displayed one tick away (REQ-LC-02)
    PriceAdjusted = 62,  // ranked and displayed one tick away (REQ-LC-03)
    RankedAtLock = 63,   // a hidden order ranked at the locking price (REQ-OH-02)
    Reslid = 64,         // re-priced because the protected BBO moved (REQ-LC-05)
    Unslid = 65,         // back at its limit: the protected BBO moved away
    // --- routes and sessions
    RouteIso = 70,       // an ISO for the full displayed size of a protected quote
    RouteIsoPartial = 71,  // an ISO for what the order had left, less than the quote's size
    RthStart = 80,
    RthEnd = 81,
};

}  // namespace engine
