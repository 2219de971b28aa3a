"""Prices as integer units of $0.0001, and conversions to and from text.

``"10.05"`` is 100500 units, ``"0.9999"`` is 9999, ``"1.00"`` is 10000. Floats
are refused (a binary float cannot hold most prices exactly), and so is text
with five or more decimal places, which no price on the Rule 612 grid needs.
The grid helpers (``next_valid``, ``prev_valid``, ``tick_index`` ...) are the
compiled core's own functions, re-exported here.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from engine._core import (
    ceil_valid,
    floor_valid,
    is_valid_price,
    next_valid,
    prev_valid,
    price_at_index,
    tick_index,
    tick_size,
)

UNITS_PER_DOLLAR = 10_000
MAX_DECIMALS = 4

_PRICE_TEXT = re.compile(r"^\s*([+-]?)\$?\s*(\d*)(?:\.(\d*))?\s*$")


def to_units(value: str | Decimal) -> int:
    """Convert a price in dollars, as text or ``Decimal``, to integer units.

    >>> to_units("10.05"), to_units("$0.9999"), to_units(Decimal("1"))
    (100500, 9999, 10000)

    Raises ``ValueError`` for text that is not a price or has five or more
    decimal places, and ``TypeError`` for floats and other types (an ``int``
    is refused too: it would be ambiguous between dollars and units).
    """
    if isinstance(value, str):
        m = _PRICE_TEXT.match(value)
        if not m or not (m.group(2) or m.group(3)):
            raise ValueError(f"value {value!r} is not a price in dollars")
        sign, whole, frac = m.group(1), m.group(2) or "0", m.group(3) or ""
        if len(frac) > MAX_DECIMALS:
            raise ValueError(
                f"value {value!r} has {len(frac)} decimal places; prices have at most {MAX_DECIMALS}"
            )
        units = int(whole) * UNITS_PER_DOLLAR + int(frac.ljust(MAX_DECIMALS, "0"))
        return -units if sign == "-" else units
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"value {value!r} is not a finite price")
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
            raise ValueError(
                f"value {value!r} has {-exponent} decimal places; prices have at most {MAX_DECIMALS}"
            )
        try:
            return int(value.scaleb(MAX_DECIMALS))
        except InvalidOperation as exc:  # pragma: no cover - guarded above
            raise ValueError(f"value {value!r} is not a price") from exc
    if isinstance(value, float):
        raise TypeError("value must be a str or Decimal, not float: floats cannot hold prices exactly")
    raise TypeError(f"value must be a str or Decimal, not {type(value).__name__}")


def to_decimal(units: int) -> Decimal:
    """The exact dollar amount of ``units``: ``to_decimal(100500) == Decimal("10.05")``."""
    if isinstance(units, bool) or not isinstance(units, int):
        raise TypeError(f"units must be an int, not {type(units).__name__}")
    return Decimal(units).scaleb(-MAX_DECIMALS).normalize().quantize(
        Decimal(1).scaleb(-max(2, _decimals(units)))
    )


def format_price(units: int) -> str:
    """Dollars as text, with two to four decimals: 100500 -> ``"10.05"``, 9999 -> ``"0.9999"``."""
    return str(to_decimal(units))


def _decimals(units: int) -> int:
    frac = abs(units) % UNITS_PER_DOLLAR
    if frac == 0:
        return 0
    digits = f"{frac:04d}".rstrip("0")
    return len(digits)


__all__ = [
    "MAX_DECIMALS",
    "UNITS_PER_DOLLAR",
    "ceil_valid",
    "floor_valid",
    "format_price",
    "is_valid_price",
    "next_valid",
    "prev_valid",
    "price_at_index",
    "tick_index",
    "tick_size",
    "to_decimal",
    "to_units",
]
