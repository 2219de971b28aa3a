"""A fast path for the commonest quote file, a well-formed NYSE TAQ quote
file, read with pyarrow's C++ CSV reader and numpy instead of a Python loop
(a busy day holds millions of quotes). The file is streamed in blocks, and
only the rows kept (the day, the symbol) are held.

It gives exactly what ``read_quotes``'s row-by-row reader gives, or nothing:
every field must have the plain shape that reader accepts (a time
``YYYY-MM-DD HH:MM:SS[.f]``, prices of at most four decimals, whole sizes),
and anything else (an odd field, a blank line, a short row, too many venues,
pyarrow not installed) returns None, so the row-by-row reader runs and names
the file and line of what it refuses.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import numpy as np

from engine._core import MAX_VENUES
from engine.dtypes import QUOTE_DTYPE
from engine.replay.files import open_stream

TIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$"
PRICE = r"^(-?\d+(\.\d{1,4})?)?$"  # empty: no price (0)
SIZE = r"^\d*$"  # empty: no size (0)
COLUMNS = ["DT_NY", "EX", "BID", "BIDSIZ", "OFR", "OFRSIZ"]
BLOCK = 16 << 20  # bytes of CSV a block


def _first_seen(values: np.ndarray) -> list:
    """The distinct values in order of first appearance."""
    if not len(values):
        return []
    uniques, first = np.unique(values, return_index=True)
    return uniques[np.argsort(first)].tolist()


def _add_new(seen: list, values: np.ndarray) -> None:
    known = set(seen)
    seen += [v for v in _first_seen(values) if v not in known]


def read_taq_quotes_fast(path: str | Path, header: list[str], venues: Optional[list[str]], round_lot: int,
                         date: Optional[str], symbol: Optional[str]) -> Optional[tuple]:
    """(quotes, venue names, days, date, symbols) as the row-by-row reader
    makes them, or None (see the module)."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pv
    except ImportError:
        return None
    columns = COLUMNS + (["SYMBOL"] if "SYMBOL" in header else [])
    state: dict[str, Any] = {"days": [], "symbols": [], "venues": list(venues or []), "date": date, "parts": []}
    try:
        with open_stream(path) as raw:
            reader = pv.open_csv(raw, read_options=pv.ReadOptions(block_size=BLOCK),
                                 parse_options=pv.ParseOptions(ignore_empty_lines=False),
                                 convert_options=pv.ConvertOptions(column_types={c: pa.string() for c in columns},
                                                                   include_columns=columns,
                                                                   strings_can_be_null=False))
            for batch in reader:
                if not _take(batch, state, symbol, round_lot):
                    return None
    except (pa.ArrowException, OSError, ValueError, OverflowError):
        return None  # an hour past 23, a price too large for a float, a malformed row: the slow reader decides
    if len(state["venues"]) > MAX_VENUES:
        return None
    parts = state["parts"]
    ids = {v: i for i, v in enumerate(state["venues"])}
    out = np.zeros(sum(len(p[0]) for p in parts), dtype=QUOTE_DTYPE)
    at = 0
    for ts, bid, bsz, ask, asz, ex in parts:
        rows = slice(at, at + len(ts))
        out["ts"][rows], out["bid_price"][rows], out["bid_size"][rows] = ts, bid, bsz
        out["ask_price"][rows], out["ask_size"][rows] = ask, asz
        out["venue"][rows] = np.array([ids[v] for v in ex.tolist()], dtype=out["venue"].dtype)
        at += len(ts)
    order = np.argsort(out["ts"], kind="stable")
    return np.ascontiguousarray(out[order]), state["venues"], state["days"], state["date"], state["symbols"]


def _take(batch: Any, state: dict, symbol: Optional[str], round_lot: int) -> bool:
    """One block's rows of the day (and symbol) converted into ``state``;
    False when a field has a shape the fast path does not read."""
    import pyarrow.compute as pc

    for name, shape in (("DT_NY", TIME), ("BID", PRICE), ("OFR", PRICE), ("BIDSIZ", SIZE), ("OFRSIZ", SIZE)):
        if pc.all(pc.match_substring_regex(batch.column(name), shape)).as_py() is False:
            return False
    text = batch.column("DT_NY").to_numpy(zero_copy_only=False).astype("U29")
    day = text.astype("U10")
    _add_new(state["days"], day)
    state["date"] = state["date"] or (state["days"][0] if state["days"] else None)
    keep = day == state["date"]
    if "SYMBOL" in batch.schema.names:
        sym = batch.column("SYMBOL").to_numpy(zero_copy_only=False)
        if symbol is not None:
            keep &= sym == symbol
        _add_new(state["symbols"], sym[keep])
    rows = np.flatnonzero(keep)
    if not len(rows):
        return True
    when = text[rows].astype("datetime64[ns]")
    ex = batch.column("EX").to_numpy(zero_copy_only=False)[rows]
    _add_new(state["venues"], ex)

    def plain(column: str) -> np.ndarray:
        values = batch.column(column).to_numpy(zero_copy_only=False)[rows]
        return np.where(values == "", "0", values)

    bid = np.maximum(np.round(plain("BID").astype(np.float64) * 10_000).astype(np.int64), 0)
    ask = np.maximum(np.round(plain("OFR").astype(np.float64) * 10_000).astype(np.int64), 0)
    bsz = plain("BIDSIZ").astype(np.int64) * round_lot
    asz = plain("OFRSIZ").astype(np.int64) * round_lot
    state["parts"].append(((when - when.astype("datetime64[D]")).astype(np.int64), bid, np.maximum(bsz, 0), ask,
                           np.maximum(asz, 0), ex))
    return True


__all__ = ["read_taq_quotes_fast"]
