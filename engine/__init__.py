"""A US-equities matching engine: a C++20 order book on the Rule 612 tick grid
with a Cython API.

>>> from engine import Book, Side, to_units
>>> book = Book("XYZ")
>>> book.submit(1, Side.SELL, to_units("10.05"), 300)
1
>>> book.submit(2, Side.BUY, to_units("10.05"), 100)
2
>>> book.take_events()["type"].tolist()
[1, 1, 3]
"""
from __future__ import annotations

try:
    from engine import _core  # noqa: F401  (fail early, with advice, if it is not built)
except ImportError as exc:  # pragma: no cover - depends on how it was installed
    raise ImportError(
        "engine's compiled core (engine._core) is not built. From the project folder run "
        "`pip install -e .` (or `pip install .` and run Python from another folder)."
    ) from exc

from engine._core import MAX_PRICE, MAX_QUANTITY, MAX_VENUES, Book, BookBuilder, FeedBook, ProtectedBook, quote_condition_flags
from engine.dtypes import (
    COMMAND_DTYPE,
    EVENT_DTYPE,
    FEED_DTYPE,
    LEVEL_DTYPE,
    ORDER_DTYPE,
    QUOTE_DTYPE,
    new_commands,
    new_quotes,
)
from engine.enums import (
    Action,
    ComplianceCode,
    EventFlag,
    EventType,
    FeeCapRegime,
    Feed,
    FeedKind,
    Liquidity,
    LockCrossMode,
    OrderFlag,
    QuoteFlag,
    OrderType,
    PostOnly,
    Reason,
    Side,
    StpMode,
    TickRegime,
    TimeInForce,
)
from engine.events import describe_event, event_counts, format_events
from engine.feed import ANOMALIES
from engine.tables import to_arrow, to_pandas
from engine.prices import (
    ceil_valid,
    floor_valid,
    format_price,
    is_valid_price,
    next_valid,
    prev_valid,
    price_at_index,
    tick_index,
    tick_size,
    to_decimal,
    to_units,
)
from engine.views import AwayQuote, OrderState, PrintCheck, ProtectedBBO, TopOfBook

try:
    from engine._version import version as __version__
except ImportError:  # pragma: no cover - a tree without setuptools-scm's file
    __version__ = "0.0.0+unknown"

__all__ = [
    "ANOMALIES",
    "Action",
    "AwayQuote",
    "Book",
    "BookBuilder",
    "COMMAND_DTYPE",
    "ComplianceCode",
    "EVENT_DTYPE",
    "EventFlag",
    "EventType",
    "FeeCapRegime",
    "Feed",
    "FeedKind",
    "FEED_DTYPE",
    "FeedBook",
    "LEVEL_DTYPE",
    "Liquidity",
    "LockCrossMode",
    "MAX_PRICE",
    "MAX_QUANTITY",
    "MAX_VENUES",
    "ORDER_DTYPE",
    "OrderFlag",
    "OrderState",
    "OrderType",
    "PostOnly",
    "PrintCheck",
    "ProtectedBBO",
    "ProtectedBook",
    "QUOTE_DTYPE",
    "QuoteFlag",
    "Reason",
    "Side",
    "StpMode",
    "TickRegime",
    "TimeInForce",
    "TopOfBook",
    "__version__",
    "ceil_valid",
    "describe_event",
    "event_counts",
    "floor_valid",
    "format_events",
    "format_price",
    "is_valid_price",
    "new_commands",
    "new_quotes",
    "next_valid",
    "prev_valid",
    "price_at_index",
    "quote_condition_flags",
    "tick_index",
    "tick_size",
    "to_decimal",
    "to_units",
    "to_arrow",
    "to_pandas",
]
