"""numpy dtypes of the records that cross the C++ boundary.

They are built by the compiled module from the C++ layout tables
(csrc/engine/introspect.hpp: every field of csrc/engine/core/records.hpp with
its offset, size and signedness), so there is no hand-written copy to drift
out of step; this module names them and makes zeroed arrays of them.
"""
from __future__ import annotations

import numpy as np

from engine._core import COMMAND_DTYPE, EVENT_DTYPE, FEED_DTYPE, LEVEL_DTYPE, ORDER_DTYPE, QUOTE_DTYPE


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
