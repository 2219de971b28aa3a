"""The engine's enumerations as IntEnums whose values equal the C++ ones.

csrc/engine/core/types.hpp is the source of truth; tests/test_layout.py checks every
member here against it (C++ ``CancelNewest`` is Python ``CANCEL_NEWEST``).
"""
from __future__ import annotations

from enum import IntEnum, IntFlag


class Side(IntEnum):
    BUY = 1
    SELL = 2


class OrderType(IntEnum):
    LIMIT = 1
    MARKET = 2


class TimeInForce(IntEnum):
    DAY = 1  #: rests until cancelled or expired at the end of the day
    GTC = 2  #: rests until cancelled
    IOC = 3  #: executes what it can at once; the rest is cancelled
    FOK = 4  #: executes in full at once or not at all


class PostOnly(IntEnum):
    NONE = 0
    REJECT = 1  #: reject a post-only order that would remove liquidity
    REPRICE = 2  #: rest it one tick less aggressive than the best contra price


class StpMode(IntEnum):
    """Self-trade prevention, decided by the incoming order's mode."""

    NONE = 0
    CANCEL_NEWEST = 1
    CANCEL_OLDEST = 2
    CANCEL_BOTH = 3
    DECREMENT = 4


class OrderFlag(IntFlag):
    """Instructions and Rule 611 attestations carried by an order (D14)."""

    HIDDEN = 1  #: non-displayed
    ROUTABLE = 2  #: may route ISOs to better-priced protected quotes (D7)
    ISO = 4  #: an incoming intermarket sweep order, (b)(5)
    NON_REGULAR_WAY = 8  #: (b)(2)
    AUCTION = 16  #: single-priced opening, reopening or closing print, (b)(3)
    BENCHMARK = 32  #: (b)(7)
    STOPPED = 64  #: stopped customer order, (b)(9)


class LockCrossMode(IntEnum):
    """What a displayed order does when it would lock or cross a protected quote (Rule 610(e))."""

    DEFAULT = 0  #: the book's default (SLIDE unless configured)
    SLIDE = 1  #: rank at the locking price, display one tick less aggressive
    PRICE_ADJUST = 2  #: rank and display one tick less aggressive
    CANCEL_BACK = 3  #: reject, or cancel the rest, with WOULD_LOCK_CROSS


class Feed(IntEnum):
    DIRECT = 0  #: quote flags given explicitly
    CQS = 1  #: CTA Quotation System (Tapes A, B)
    UQDF = 2  #: UTP Quotation Data Feed (Tape C)


class QuoteFlag(IntFlag):
    BID_MANUAL = 1
    ASK_MANUAL = 2
    CLOSED = 4
    UNKNOWN_CONDITION = 8


class FeeCapRegime(IntEnum):
    CAP_2005 = 0  #: $0.003 per share, 0.3% under $1.00 (in force)
    CAP_2024 = 1  #: $0.001 per share, 0.1% (amended, compliance deferred)


class ComplianceCode(IntEnum):
    """Why a fill was allowed, or why it was blocked (D15)."""

    NONE = 0  #: plain book, no check
    NO_TRADE_THROUGH = 1
    SELF_HELP = 2  #: (b)(1)
    NON_REGULAR_WAY = 3  #: (b)(2)
    AUCTION = 4  #: (b)(3)
    CROSSED_MARKET = 5  #: (b)(4)
    ISO_RECEIVED = 6  #: (b)(5)
    ISO_ROUTED = 7  #: (b)(6)
    BENCHMARK = 8  #: (b)(7)
    FLICKER = 9  #: (b)(8)
    STOPPED = 10  #: (b)(9)
    SUB_PENNY = 11  #: the 2006 sub-penny exemption
    ROUTE_PENDING = 12  #: FAQ 4.08
    OUTSIDE_RTH = 13
    POLICY_OUTSIDE_RTH = 14
    CHECK_DISABLED = 15
    MIXED = 16  #: several quotes cleared by different codes (see TRADE_THROUGH events)
    BLOCKED_RULE_611 = 20
    BLOCKED_POLICY = 21


class Action(IntEnum):
    NEW = 1
    CANCEL = 2
    REPLACE = 3
    REDUCE = 4
    EXPIRE = 5


class EventType(IntEnum):
    ACCEPTED = 1
    REJECTED = 2
    FILL = 3
    CANCELLED = 4
    EXPIRED = 5
    REDUCED = 6
    REPLACED = 7
    REPRICED = 8
    REFRESHED = 9
    ROUTE = 10
    BLOCKED = 11
    TRADE_THROUGH = 12
    SESSION = 13


class EventFlag(IntFlag):
    PRIORITY_KEPT = 1
    TAKER_HIDDEN = 2
    ISO = 4


class FeedKind(IntEnum):
    """What a replayed venue message (``FEED_DTYPE``) does."""

    NONE = 0
    ADD = 1  #: LOBSTER 1; ITCH A, F
    CANCEL = 2  #: LOBSTER 2; ITCH X
    DELETE = 3  #: LOBSTER 3; ITCH D
    EXECUTE = 4  #: LOBSTER 4; ITCH E
    EXECUTE_AT_PRICE = 5  #: ITCH C
    REPLACE = 6  #: ITCH U
    HIDDEN_EXECUTION = 7  #: LOBSTER 5; ITCH P
    CROSS_TRADE = 8  #: LOBSTER 6; ITCH Q
    TRADING_HALT = 9  #: LOBSTER 7; ITCH H
    SYSTEM_EVENT = 10  #: ITCH S
    STOCK_DIRECTORY = 11  #: ITCH R
    MODIFY = 12  #: Databento MBO M: new price and size, same id (priority kept only for a smaller size)
    CLEAR = 13  #: Databento MBO R: the book emptied
    TRADE = 14  #: Databento MBO T (the book changes by later messages)
    FILL = 15  #: Databento MBO F (likewise)


class Liquidity(IntEnum):
    NONE = 0
    MAKER_DISPLAYED = 1
    MAKER_HIDDEN = 2


class TickRegime(IntEnum):
    PENNY_2005 = 0  #: 100u at or above $1.00 (Rule 612 as adopted in 2005)
    HALF_PENNY_2024 = 1  #: 50u at or above $1.00 (the 2024 amendment's tier)


class Reason(IntEnum):
    """Why a command was rejected, or why an order left or changed."""

    NONE = 0
    # rejects: the command was refused and the book is unchanged
    INVALID_ORDER_ID = 1
    DUPLICATE_ORDER_ID = 2
    UNKNOWN_ORDER_ID = 3
    INVALID_SIDE = 4
    INVALID_ORDER_TYPE = 5
    INVALID_TIME_IN_FORCE = 6
    INVALID_QUANTITY = 7
    QUANTITY_OUT_OF_RANGE = 8
    INVALID_PRICE = 9
    PRICE_OUT_OF_RANGE = 10
    PRICE_NOT_ON_TICK = 11
    INVALID_DISPLAY_QUANTITY = 12
    INVALID_POST_ONLY = 13
    INVALID_STP_MODE = 14
    INVALID_FLAGS = 15
    INCOMPATIBLE_INSTRUCTIONS = 16
    NO_LIQUIDITY = 17
    POST_ONLY_WOULD_REMOVE = 18
    TIMESTAMP_REGRESSION = 19
    INVALID_ACTION = 20
    QUANTITY_EXCEEDS_LEAVES = 21
    ISO_REQUIRES_LIMIT = 22
    WOULD_LOCK_CROSS = 23
    UNKNOWN_VENUE = 24
    INVALID_QUOTE = 25
    INVALID_LOCK_CROSS_MODE = 26
    INVALID_SELF_HELP = 27
    # why an order, or part of one, left the book
    USER_CANCEL = 40
    IOC_REMAINDER = 41
    FOK_NOT_FILLABLE = 42
    STP_CANCEL_NEWEST = 43
    STP_CANCEL_OLDEST = 44
    STP_CANCEL_BOTH = 45
    STP_DECREMENT = 46
    END_OF_DAY = 47
    WOULD_TRADE_THROUGH = 48
    # why the engine re-priced an order
    POST_ONLY_REPRICED = 60
    SLID = 61
    PRICE_ADJUSTED = 62
    RANKED_AT_LOCK = 63
    RESLID = 64
    UNSLID = 65
    # routes and sessions
    ROUTE_ISO = 70
    ROUTE_ISO_PARTIAL = 71
    RTH_START = 80
    RTH_END = 81


__all__ = [
    "Action",
    "ComplianceCode",
    "EventFlag",
    "EventType",
    "FeeCapRegime",
    "Feed",
    "FeedKind",
    "Liquidity",
    "LockCrossMode",
    "OrderFlag",
    "QuoteFlag",
    "OrderType",
    "PostOnly",
    "Reason",
    "Side",
    "StpMode",
    "TickRegime",
    "TimeInForce",
]
