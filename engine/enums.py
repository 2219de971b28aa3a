"""The engine's enumerations as IntEnums whose values equal the C++ ones.

csrc/engine/types.hpp is the source of truth; tests/test_layout.py checks every
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
    HIDDEN = 1


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


class EventFlag(IntFlag):
    PRIORITY_KEPT = 1
    TAKER_HIDDEN = 2


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
    # why an order, or part of one, left the book
    USER_CANCEL = 40
    IOC_REMAINDER = 41
    FOK_NOT_FILLABLE = 42
    STP_CANCEL_NEWEST = 43
    STP_CANCEL_OLDEST = 44
    STP_CANCEL_BOTH = 45
    STP_DECREMENT = 46
    END_OF_DAY = 47
    # why the engine re-priced an order
    POST_ONLY_REPRICED = 60


__all__ = [
    "Action",
    "EventFlag",
    "EventType",
    "Liquidity",
    "OrderFlag",
    "OrderType",
    "PostOnly",
    "Reason",
    "Side",
    "StpMode",
    "TickRegime",
    "TimeInForce",
]
