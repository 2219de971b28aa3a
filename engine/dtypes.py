"""numpy dtypes of the records that cross the C++ boundary.

Each mirrors a struct in csrc/engine/records.hpp field for field (padding left
out where the struct has it); tests/test_layout.py checks offsets and sizes
against the compiled structs, and engine._core refuses to load if the item
sizes disagree.
"""
from __future__ import annotations

import numpy as np

#: One instruction to a book (``engine::Command``, 64 bytes).
COMMAND_DTYPE = np.dtype(
    [
        ("ts", "<i8"),
        ("order_id", "<u8"),
        ("new_order_id", "<u8"),
        ("price", "<i8"),
        ("quantity", "<i8"),
        ("display_quantity", "<i8"),
        ("participant", "<u4"),
        ("action", "u1"),
        ("side", "u1"),
        ("order_type", "u1"),
        ("tif", "u1"),
        ("stp", "u1"),
        ("post_only", "u1"),
        ("lock_cross", "u1"),
        ("reserved", "u1"),
        ("flags", "<u4"),
    ],
    align=True,
)

#: One thing that happened (``engine::Event``, 96 bytes).
EVENT_DTYPE = np.dtype(
    [
        ("seq", "<u8"),
        ("ts", "<i8"),
        ("order_id", "<u8"),
        ("contra_id", "<u8"),
        ("price", "<i8"),
        ("quantity", "<i8"),
        ("leaves", "<i8"),
        ("contra_leaves", "<i8"),
        ("fee", "<i8"),
        ("aux", "<i8"),
        ("venues", "<u4"),
        ("quote_version", "<u4"),
        ("reason", "<u2"),
        ("compliance_code", "<u2"),
        ("type", "u1"),
        ("side", "u1"),
        ("liquidity", "u1"),
        ("flags", "u1"),
    ],
    align=True,
)

#: One displayed price level (``engine::LevelView``, 24 bytes).
LEVEL_DTYPE = np.dtype(
    {
        "names": ["price", "quantity", "orders"],
        "formats": ["<i8", "<i8", "<u4"],
        "offsets": [0, 8, 16],
        "itemsize": 24,
    }
)

#: One resting order (``engine::OrderView``, 96 bytes).
ORDER_DTYPE = np.dtype(
    {
        "names": [
            "order_id", "ts", "price", "display_price", "limit_price", "leaves", "displayed", "reserve",
            "filled", "display_quantity", "participant", "flags", "side", "tif", "stp", "post_only",
            "lock_cross", "repriced",
        ],
        "formats": [
            "<u8", "<i8", "<i8", "<i8", "<i8", "<i8", "<i8", "<i8",
            "<i8", "<i8", "<u4", "<u4", "u1", "u1", "u1", "u1",
            "u1", "u1",
        ],
        "offsets": [0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 84, 88, 89, 90, 91, 92, 93],
        "itemsize": 96,
    }
)

#: One away venue's best bid and offer (``engine::QuoteUpdate``, 48 bytes).
QUOTE_DTYPE = np.dtype(
    [
        ("ts", "<i8"),
        ("bid_price", "<i8"),
        ("bid_size", "<i8"),
        ("ask_price", "<i8"),
        ("ask_size", "<i8"),
        ("venue", "u1"),
        ("feed", "u1"),
        ("condition", "u1"),
        ("flags", "u1"),
        ("reserved", "<u4"),
    ],
    align=True,
)


#: One message of a venue's own order flow (``engine::FeedMessage``, 48 bytes).
FEED_DTYPE = np.dtype(
    {
        "names": ["ts", "order_id", "new_order_id", "price", "quantity", "locate", "kind", "side", "code"],
        "formats": ["<i8", "<u8", "<u8", "<i8", "<i8", "<u2", "u1", "u1", "u1"],
        "offsets": [0, 8, 16, 24, 32, 40, 42, 43, 44],
        "itemsize": 48,
    }
)


def new_commands(n: int) -> np.ndarray:
    """A zeroed array of ``n`` commands, ready to fill in."""
    return np.zeros(n, dtype=COMMAND_DTYPE)


def new_quotes(n: int) -> np.ndarray:
    """A zeroed array of ``n`` quote updates, ready to fill in."""
    return np.zeros(n, dtype=QUOTE_DTYPE)


__all__ = [
    "COMMAND_DTYPE", "EVENT_DTYPE", "FEED_DTYPE", "LEVEL_DTYPE", "ORDER_DTYPE", "QUOTE_DTYPE", "new_commands",
    "new_quotes",
]
