"""A fast path for the commonest files, well-formed NYSE TAQ quote and
trade files, read with pyarrow's C++ CSV reader and numpy instead of a Python
loop (a busy day holds millions of quotes). A file is streamed in blocks, and
only the rows kept (the day, the symbol) are held. The quote reader is here;
the trade reader (engine.surveil.trades) uses the same block streaming.

It gives exactly what ``read_quotes``'s row-by-row reader gives, or nothing:
every field must have the plain shape that reader accepts (a time
``YYYY-MM-DD HH:MM:SS[.f]``, prices of at most four decimals, whole sizes),
and anything else (an odd field, a blank line, a short row, too many venues,
pyarrow not installed) returns None, so the row-by-row reader runs and names
the file and line of what it refuses.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from engine._core import MAX_VENUES
from engine.dtypes import QUOTE_DTYPE
from engine.replay.files import open_stream

TIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$"
PRICE = r"^(-?\d+(\.\d{1,4})?)?$"  # empty: no price (0)
SIZE = r"^\d*$"  # empty: no size (0)
COLUMNS = ["DT_NY", "EX", "BID", "BIDSIZ", "OFR", "OFRSIZ"]
BLOCK = 16 << 20  # bytes of CSV a block


def first_seen(values: np.ndarray) -> list:
    """The distinct values in order of first appearance."""
    if not len(values):
        return []
    uniques, first = np.unique(values, return_index=True)
    return uniques[np.argsort(first)].tolist()


def add_new(seen: list, values: np.ndarray) -> None:
    """Append to ``seen`` the values not in it yet, in order of first appearance."""
    known = set(seen)
    seen += [v for v in first_seen(values) if v not in known]


def each_plain_block(path: str | Path, columns: list[str], shapes: dict[str, str], take: Callable[[Any], None],
                     ignore_empty_lines: bool) -> bool:
    """Stream ``columns`` of a CSV file (as text) block by block into
    ``take``, checking each column named in ``shapes`` against its pattern;
    False (and no more blocks) when a field has another shape, a row is
    malformed, or pyarrow is not installed."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pv
    except ImportError:
        return False
    try:
        with open_stream(path) as raw:
            reader = pv.open_csv(raw, read_options=pv.ReadOptions(block_size=BLOCK),
                                 parse_options=pv.ParseOptions(ignore_empty_lines=ignore_empty_lines),
                                 convert_options=pv.ConvertOptions(column_types={c: pa.string() for c in columns},
                                                                   include_columns=columns,
                                                                   strings_can_be_null=False))
            for batch in reader:
                for name, shape in shapes.items():
                    if pc.all(pc.match_substring_regex(batch.column(name), shape)).as_py() is False:
                        return False
                take(batch)
    except (pa.ArrowException, OSError, ValueError, OverflowError):
        return False  # an hour past 23, a number too large, a malformed row: the row-by-row reader decides
    return True


def text_column(batch: Any, name: str) -> np.ndarray:
    return batch.column(name).to_numpy(zero_copy_only=False)


def read_taq_quotes_fast(path: str | Path, header: list[str], venues: Optional[list[str]], round_lot: int,
                         date: Optional[str], symbol: Optional[str]) -> Optional[tuple]:
    """(quotes, venue names, days, date, symbols) as the row-by-row reader
    makes them, or None (see the module)."""
    columns = COLUMNS + (["SYMBOL"] if "SYMBOL" in header else [])
    state: dict[str, Any] = {"days": [], "symbols": [], "venues": list(venues or []), "date": date, "parts": []}
    shapes = {"DT_NY": TIME, "BID": PRICE, "OFR": PRICE, "BIDSIZ": SIZE, "OFRSIZ": SIZE}
    if not each_plain_block(path, columns, shapes, lambda batch: _take(batch, state, symbol, round_lot),
                            ignore_empty_lines=False):  # the row-by-row reader refuses a blank line
        return None
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


def ns_of_day(text: np.ndarray) -> np.ndarray:
    """'YYYY-MM-DD HH:MM:SS[.f]' texts -> ns after midnight (ValueError for an
    hour past 23, which the row-by-row reader reads its own way)."""
    when = text.astype("datetime64[ns]")
    return (when - when.astype("datetime64[D]")).astype(np.int64)


def _take(batch: Any, state: dict, symbol: Optional[str], round_lot: int) -> None:
    """One block's rows of the day (and symbol) converted into ``state``."""
    text = text_column(batch, "DT_NY").astype("U29")
    day = text.astype("U10")
    add_new(state["days"], day)
    state["date"] = state["date"] or (state["days"][0] if state["days"] else None)
    keep = day == state["date"]
    if "SYMBOL" in batch.schema.names:
        sym = text_column(batch, "SYMBOL")
        if symbol is not None:
            keep &= sym == symbol
        add_new(state["symbols"], sym[keep])
    rows = np.flatnonzero(keep)
    if not len(rows):
        return
    ex = text_column(batch, "EX")[rows]
    add_new(state["venues"], ex)

    def plain(column: str) -> np.ndarray:
        values = text_column(batch, column)[rows]
        return np.where(values == "", "0", values)

    bid = np.maximum(np.round(plain("BID").astype(np.float64) * 10_000).astype(np.int64), 0)
    ask = np.maximum(np.round(plain("OFR").astype(np.float64) * 10_000).astype(np.int64), 0)
    bsz = plain("BIDSIZ").astype(np.int64) * round_lot
    asz = plain("OFRSIZ").astype(np.int64) * round_lot
    state["parts"].append((ns_of_day(text[rows]), bid, np.maximum(bsz, 0), ask, np.maximum(asz, 0), ex))


__all__ = ["add_new", "each_plain_block", "first_seen", "ns_of_day", "read_taq_quotes_fast", "text_column"]
