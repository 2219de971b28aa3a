"""A trades tape (NYSE TAQ trades: ``DT_NY, DT, EX, SYMBOL, COND, SIZE, PRICE,
CORR``) read into arrays for surveillance.

Prices are kept in micro-dollars (1e-6 $), not the engine's $0.0001 units:
tapes print executions off the quoting grid (REQ-TICK-05), sometimes finer
than $0.0001, and the sub-penny analysis must see those digits. Times are
ns after midnight from ``DT_NY`` (New York time, microsecond digits), with the
day kept apart. Corrected or cancelled prints (``CORR`` other than 0) are
dropped and counted.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Optional, TextIO

import numpy as np

from engine.enums import ComplianceCode, EventType
from engine.replay.files import SOURCE_LINE, ReplayError, frame_as_csv, open_stream, sniff_csv_header
from engine.replay.taq_fast import TIME, add_new, each_plain_block, ns_of_day, text_column
from engine.replay.quotes import ns_after_midnight

TRADE_COLUMNS = ["DT_NY", "DT", "EX", "SYMBOL", "COND", "SIZE", "PRICE"]
MICROS_PER_DOLLAR = 1_000_000

# Sale conditions whose prints are not regular-way trades priced off the quotes
# (the OEA memo's exclusions, with the codes REQ-RPT-01 lists): each maps to
# the reason it is left out.
EXCLUDED_CONDITIONS: dict[str, str] = {
    "4": "derivatively priced",
    "B": "average price",
    "W": "average price",
    "C": "cash",
    "N": "next day",
    "R": "seller",
    "T": "extended hours",
    "U": "extended hours, out of sequence",
    "Z": "sold out of sequence",
    "L": "sold last (late report)",
    "P": "prior reference price",
    "7": "qualified contingent trade",
    "V": "contingent trade",
}


@dataclass
class Tape:
    """One tape's trades, in file order: ``day`` (YYYY-MM-DD), ``ts`` (ns after
    midnight), ``venue`` (index into ``venues``), ``price`` (micro-dollars),
    ``size`` (shares), ``conditions`` (the raw sale-condition text)."""

    path: str
    day: np.ndarray
    ts: np.ndarray
    venue: np.ndarray
    venues: list[str]
    price: np.ndarray
    size: np.ndarray
    conditions: np.ndarray
    symbols: list[str] = field(default_factory=list)
    corrected: int = 0  # prints dropped as corrected or cancelled
    symbol: Optional[np.ndarray] = None  # each trade's symbol (None: all the tape's one symbol, or none named)

    def __len__(self) -> int:
        return len(self.ts)

    def symbol_of(self) -> np.ndarray:
        """Each trade's symbol ("" where the tape names none)."""
        if self.symbol is not None:
            return self.symbol
        return np.full(len(self), self.symbols[0] if self.symbols else "", dtype=object)

    def pieces(self) -> list[tuple[str, str]]:
        """The (day, symbol) pairs the tape holds, in order: each is audited
        against its own quotes."""
        return sorted(set(zip(self.day.tolist(), self.symbol_of().tolist())))

    @property
    def days(self) -> list[str]:
        return sorted(set(self.day.tolist()))


def _micros(text: str, where: str) -> int:
    try:
        value = Decimal(text) * MICROS_PER_DOLLAR
    except InvalidOperation:
        raise ReplayError(f"{where}: price {text!r} is not a number") from None
    if value != value.to_integral_value() or value <= 0:
        raise ReplayError(f"{where}: price {text!r} is not a positive multiple of $0.000001")
    return int(value)


def _ns_after_midnight(text: str, where: str) -> int:
    try:
        return ns_after_midnight(text)
    except ValueError:
        raise ReplayError(f"{where}: time {text!r} is not 'YYYY-MM-DD HH:MM:SS[.ffffff]'") from None


def read_trades(path: str | Path, date: Optional[str] = None, symbol: Optional[str] = None, *,
                name: Optional[str] = None) -> Tape:
    """A TAQ trades file (plain or compressed), optionally one day and one
    symbol; ``name``: the file errors name (default: ``path``)."""
    header = sniff_csv_header(path)
    if header is not None and all(c in header for c in TRADE_COLUMNS):
        fast = _read_trades_fast(path, header, name or str(path), date, symbol)
        if fast is not None:
            return fast
    with open_stream(path) as raw:
        return _read_trades(io.TextIOWrapper(raw, encoding="ascii", newline=""), name or str(path), date, symbol)


TRADE_PRICE = r"^\d+(\.\d{1,6})?$"  # a positive multiple of $0.000001 in plain digits
TRADE_SIZE = r"^[1-9]\d*$"


def _read_trades_fast(path: str | Path, header: list[str], name: str, date: Optional[str],
                      symbol: Optional[str]) -> Optional[Tape]:
    """The tape as :func:`_read_trades` reads it, streamed through pyarrow's
    CSV reader (engine.replay.taq_fast), or None when a field has another
    shape (then the row-by-row reader names the line)."""
    columns = TRADE_COLUMNS + (["CORR"] if "CORR" in header else [])
    columns.remove("DT")
    parts: list[tuple] = []
    state = {"corrected": 0, "venues": [], "symbols": []}

    def take(batch: Any) -> None:
        text = text_column(batch, "DT_NY")
        sym = text_column(batch, "SYMBOL")
        keep = np.ones(len(text), dtype=bool)
        if date:
            keep &= text.astype("U10") == date
        if symbol:
            keep &= sym == symbol
        if "CORR" in columns:
            corr = text_column(batch, "CORR")
            fixed = keep & ~np.isin(corr, ["", "0", "00"])
            state["corrected"] += int(fixed.sum())
            keep &= ~fixed
        rows = np.flatnonzero(keep)
        if not len(rows):
            return
        when = text[rows].astype("U29")
        ex = text_column(batch, "EX")[rows]
        add_new(state["venues"], ex)
        add_new(state["symbols"], sym[rows])
        micros = np.round(text_column(batch, "PRICE")[rows].astype(np.float64) * MICROS_PER_DOLLAR).astype(np.int64)
        if (micros <= 0).any():
            raise ValueError("a price of zero")  # the row-by-row reader refuses it by line
        parts.append((when.astype("U10").astype(object), ns_of_day(when), ex, micros,
                      text_column(batch, "SIZE")[rows].astype(np.int64), text_column(batch, "COND")[rows],
                      sym[rows]))

    shapes = {"DT_NY": TIME, "PRICE": TRADE_PRICE, "SIZE": TRADE_SIZE}
    if not each_plain_block(path, columns, shapes, take, ignore_empty_lines=True):  # as the reader skips them
        return None
    ids = {v: i for i, v in enumerate(state["venues"])}

    def joined(k: int, dtype: Any) -> np.ndarray:
        return np.concatenate([p[k] for p in parts]).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    venue = np.array([ids[v] for v in joined(2, object).tolist()], dtype=np.int16)
    return Tape(name, joined(0, object), joined(1, np.int64), venue, state["venues"], joined(3, np.int64),
                joined(4, np.int64), joined(5, object), state["symbols"], state["corrected"], joined(6, object))


def trades_from_frame(frame: Any, date: Optional[str] = None, symbol: Optional[str] = None) -> Tape:
    """:func:`read_trades` for a pandas DataFrame with TAQ's trade columns
    (``DT_NY`` as text or datetime64, ``PRICE`` in dollars; ``CORR`` optional),
    read by the same parser as a file."""
    return _read_trades(frame_as_csv(frame, "trades"), "trades frame", date, symbol)


# REQ-RPT-01: the sale condition a fill's exception code is reported with
CODE_CONDITIONS = {ComplianceCode.ISO_RECEIVED: "F", ComplianceCode.ISO_ROUTED: "F", ComplianceCode.AUCTION: "O",
                   ComplianceCode.BENCHMARK: "4", ComplianceCode.STOPPED: "1", ComplianceCode.NON_REGULAR_WAY: "C"}


def trades_from_events(events: np.ndarray, day: str, venue: str = "OWN", symbol: str = "") -> Tape:
    """The engine's own fills (``EVENT_DTYPE`` records; every FILL event is one
    print) as a tape of ``day``, each marked with the sale condition its
    exception code is reported with (REQ-RPT-01: ISO F, auction O, benchmark 4,
    stopped 1, not regular way C), so the audit re-checks the engine's trades
    against the quotes independently of the decision the hot path made."""
    try:
        fills = events[events["type"] == EventType.FILL]
    except (ValueError, IndexError, TypeError):
        raise TypeError("events: expected EVENT_DTYPE records") from None
    codes = fills["compliance_code"].tolist()
    conditions = np.array([CODE_CONDITIONS.get(c, "") for c in codes], dtype=object)
    n = len(fills)
    return Tape(f"events of {symbol or 'the engine'}", np.full(n, day, dtype=object), fills["ts"].astype(np.int64),
                np.zeros(n, dtype=np.int16), [venue], fills["price"].astype(np.int64) * 100,
                fills["quantity"].astype(np.int64), conditions, [symbol] if symbol else [], 0)


def _read_trades(stream: TextIO, path: str, date: Optional[str], symbol: Optional[str]) -> Tape:
    day, ts, venue, price, size, cond, sym_of, symbols = [], [], [], [], [], [], [], {}
    venues: dict[str, int] = {}
    corrected = 0
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None or any(c not in header for c in TRADE_COLUMNS):
        raise ReplayError(f"{path}: line 1: expected a TAQ trades header with {','.join(TRADE_COLUMNS)}")
    col = {c: i for i, c in enumerate(header)}
    source = col.get(SOURCE_LINE)
    for line, r in enumerate(reader, start=2):
        if not r:
            continue
        if source is not None:  # a piece of a split file: its rows name their line in the original
            line = int(r[source])
        where = f"{path}: line {line}"
        try:
            when, sym = r[col["DT_NY"]], r[col["SYMBOL"]]
            if (date and when[:10] != date) or (symbol and sym != symbol):
                continue
            if "CORR" in col and r[col["CORR"]] not in ("", "0", "00"):
                corrected += 1
                continue
            ex = r[col["EX"]]
            shares = int(r[col["SIZE"]])
            if shares <= 0:
                raise ReplayError(f"{where}: size {shares} is not positive")
            day.append(when[:10])
            ts.append(_ns_after_midnight(when, where))
            venue.append(venues.setdefault(ex, len(venues)))
            price.append(_micros(r[col["PRICE"]], where))
            size.append(shares)
            cond.append(r[col["COND"]])
            sym_of.append(sym)
            symbols[sym] = None
        except (IndexError, ValueError) as exc:
            if isinstance(exc, ReplayError):
                raise
            raise ReplayError(f"{where}: malformed trade row ({exc})") from None
    return Tape(path, np.array(day, dtype=object), np.array(ts, dtype=np.int64),
                np.array(venue, dtype=np.int16), list(venues), np.array(price, dtype=np.int64),
                np.array(size, dtype=np.int64), np.array(cond, dtype=object), list(symbols), corrected,
                np.array(sym_of, dtype=object))


__all__ = ["CODE_CONDITIONS", "EXCLUDED_CONDITIONS", "MICROS_PER_DOLLAR", "Tape", "read_trades", "trades_from_events",
           "trades_from_frame"]
