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
        ("flags", "<u2"),
        ("reserved", "<u4"),
    ],
    align=True,
)

#: One thing that happened (``engine::Event``, 80 bytes).
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

#: One resting order (``engine::OrderView``, 80 bytes).
ORDER_DTYPE = np.dtype(
    {
        "names": [
            "order_id", "ts", "price", "leaves", "displayed", "reserve", "filled",
            "display_quantity", "participant", "side", "tif", "stp", "post_only", "flags",
        ],
        "formats": [
            "<u8", "<i8", "<i8", "<i8", "<i8", "<i8", "<i8",
            "<i8", "<u4", "u1", "u1", "u1", "u1", "<u2",
        ],
        "offsets": [0, 8, 16, 24, 32, 40, 48, 56, 64, 68, 69, 70, 71, 72],
        "itemsize": 80,
    }
)


def new_commands(n: int) -> np.ndarray:
    """A zeroed array of ``n`` commands, ready to fill in."""
    return np.zeros(n, dtype=COMMAND_DTYPE)


__all__ = ["COMMAND_DTYPE", "EVENT_DTYPE", "LEVEL_DTYPE", "ORDER_DTYPE", "new_commands"]
