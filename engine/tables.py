"""The engine's record arrays (events, orders, commands, quotes, feed messages,
levels) as tables: pandas DataFrames (pandas installed) or Arrow tables
(pyarrow installed), a column per field, in the array's order.

With ``names=True``, fields that hold an enum's code (``type``, ``reason``,
``side``, ``kind``, ...) become categorical columns of the enum's names;
codes outside the enum stay as their numbers.
"""
from __future__ import annotations

from enum import IntEnum
from typing import Any

import numpy as np

from engine.enums import Action, ComplianceCode, EventType, FeedKind, Liquidity, OrderType, Reason, Side, TimeInForce

# Fields, by name, that hold an enum's code in the record dtypes.
ENUM_FIELDS: dict[str, type[IntEnum]] = {
    "type": EventType, "reason": Reason, "compliance_code": ComplianceCode, "liquidity": Liquidity, "side": Side,
    "kind": FeedKind, "action": Action, "order_type": OrderType, "tif": TimeInForce,
}


def _fields(records: np.ndarray) -> list[str]:
    if not isinstance(records, np.ndarray) or records.dtype.names is None:
        raise TypeError(f"records must be a numpy structured array (an engine record array), "
                        f"not {type(records).__name__}")
    return [n for n in records.dtype.names if n != "reserved"]


def _names(values: np.ndarray, enum: type[IntEnum]) -> list[str]:
    lookup = {int(m): m.name for m in enum}
    return [lookup.get(v, str(v)) for v in values.tolist()]


def to_pandas(records: np.ndarray, names: bool = False) -> Any:
    """A ``pandas.DataFrame`` of the records (needs pandas)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_pandas needs pandas (pip install pandas, or the tables extra)") from None
    columns: dict[str, Any] = {}
    for name in _fields(records):
        column = records[name]
        if names and name in ENUM_FIELDS:
            enum = ENUM_FIELDS[name]
            columns[name] = pd.Categorical(_names(column, enum), categories=[m.name for m in enum] + sorted(
                {str(v) for v in np.unique(column).tolist() if v not in {int(m) for m in enum}}))
        else:
            columns[name] = np.ascontiguousarray(column)
    return pd.DataFrame(columns, copy=False)


def to_arrow(records: np.ndarray, names: bool = False) -> Any:
    """A ``pyarrow.Table`` of the records (needs pyarrow)."""
    try:
        import pyarrow as pa
    except ImportError:
        raise ImportError("to_arrow needs pyarrow (pip install pyarrow, or the tables extra)") from None
    columns: dict[str, Any] = {}
    for name in _fields(records):
        column = records[name]
        if names and name in ENUM_FIELDS:
            columns[name] = pa.array(_names(column, ENUM_FIELDS[name])).dictionary_encode()
        else:
            columns[name] = pa.array(np.ascontiguousarray(column))
    return pa.table(columns)


__all__ = ["ENUM_FIELDS", "to_arrow", "to_pandas"]
