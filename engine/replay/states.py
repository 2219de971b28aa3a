"""The book after every message: computed in C++ while the books are built
(``BookBuilder.apply(messages, states=)``), kept as arrays or written to CSV
or Parquet as the replay goes.

A state row is LOBSTER's orderbook layout: per level, best first, ask price,
ask size, bid price, bid size (prices in $0.0001, displayed shares only); a
level a side lacks is LOBSTER's dummy (ask price 9999999999, bid price
-9999999999, size 0). A message that reaches no book (a system event, the
stock directory, a stock not selected) gets a row of zeros. Written files
lead each row with the message's number in the file, its time (ns after
midnight; DBN: since the epoch), its stock locate and symbol, and its code
(DBN: the record's flags, whose bit 128, F_LAST, marks where an event ends
and the book is whole).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from engine.replay.files import ReplayError

try:  # an optional extra: pip install regnms-engine[replay]
    import pyarrow as _pa
    import pyarrow.csv as _pacsv
    import pyarrow.parquet as _pq
except ImportError:  # pragma: no cover - depends on what is installed
    _pa = _pacsv = _pq = None

NO_ASK_PRICE = 9_999_999_999  #: LOBSTER's price for an ask level that does not exist
NO_BID_PRICE = -9_999_999_999  #: and for a bid level
MAX_LEVELS = 1_000  #: more levels a row than anyone reads; refused above this (rows would be huge)


def symbol_table(stocks: dict) -> np.ndarray:
    """Symbols indexed by stock locate (65,536 of them; "" for none) from
    ``{locate: (symbol, ...)}``, so a batch's locates map to symbols in one step."""
    names = np.full(65_536, "", dtype=object)
    for loc, (sym, *_rest) in stocks.items():
        names[loc] = sym
    return names


def book_state_columns(levels: int) -> list[str]:
    """The state columns in order: ``ask_price_1, ask_size_1, bid_price_1, bid_size_1, ask_price_2, ...``."""
    return [f"{name}_{i}" for i in range(1, levels + 1) for name in ("ask_price", "ask_size", "bid_price", "bid_size")]


def check_levels(levels: object, name: str = "levels") -> int:
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)):
        raise TypeError(f"{name} must be an int, not {type(levels).__name__}")
    if not 1 <= int(levels) <= MAX_LEVELS:
        raise ValueError(f"{name}={levels} must be between 1 and {MAX_LEVELS}")
    return int(levels)


def new_book_states(n: int, levels: int) -> np.ndarray:
    """An array for the states of ``n`` messages, ``levels`` levels a row."""
    return np.empty((n, 4 * check_levels(levels)), dtype=np.int64)


class BookStateWriter:
    """Writes book states to CSV (``.csv``) or Parquet (``.parquet``); both need
    pyarrow (the ``replay`` extra), which writes them at tens of millions of
    values a second."""

    def __init__(self, path: str | Path, levels: int) -> None:
        self.path = Path(path)
        self.levels = check_levels(levels)
        self.rows = 0
        self._writer: Any = None
        if self.path.suffix not in (".csv", ".parquet"):
            raise ReplayError(f"{self.path}: book states can be written as .csv or .parquet")
        if _pa is None:
            raise ReplayError(f"{self.path}: writing book states needs pyarrow (pip install pyarrow)")
        if not self.path.parent.is_dir():
            raise ReplayError(f"{self.path}: no folder {self.path.parent} to write into")
        self._columns = book_state_columns(self.levels)

    def write(self, messages: np.ndarray, states: np.ndarray, symbol_of: Callable[[np.ndarray], np.ndarray],
              numbers: Optional[np.ndarray] = None) -> None:
        """One batch: the messages (``FEED_DTYPE``) and their states; ``symbol_of``
        maps the messages' locates to symbols; ``numbers``: the messages' numbers
        in their file (default: counted from 0 as written)."""
        if not len(messages):
            return
        if numbers is None:
            numbers = np.arange(self.rows, self.rows + len(messages), dtype=np.int64)
        data = {"message": _pa.array(numbers),
                "ts": _pa.array(messages["ts"]), "locate": _pa.array(messages["locate"]),
                "symbol": _pa.array(symbol_of(messages["locate"])), "code": _pa.array(messages["code"])}
        data.update({name: _pa.array(states[:, j]) for j, name in enumerate(self._columns)})
        table = _pa.table(data)
        try:
            if self._writer is None:
                self._writer = (_pq.ParquetWriter(str(self.path), table.schema) if self.path.suffix == ".parquet"
                                else _pacsv.CSVWriter(str(self.path), table.schema))
            self._writer.write_table(table)
        except OSError as exc:
            raise ReplayError(f"{self.path}: cannot write book states ({exc})") from None
        self.rows += len(messages)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class BookStates:
    """What a replay does with the book after each message: kept as arrays
    (``keep``), written to ``out``, or both; one reused array per batch."""

    def __init__(self, levels: int, out: Optional[str | Path] = None, keep: bool = False) -> None:
        self.levels = check_levels(levels)
        self.keep = keep
        self.writer = BookStateWriter(out, levels) if out is not None else None
        self.symbol_of: Callable[[np.ndarray], np.ndarray] = lambda locates: np.full(len(locates), "", dtype=object)
        self._buffer = np.empty((0, 4 * self.levels), dtype=np.int64)
        self._kept_states: list[np.ndarray] = []
        self._kept_messages: list[np.ndarray] = []

    def buffer(self, n: int) -> np.ndarray:
        """The array for a batch of ``n`` messages' states (reused unless kept)."""
        if self.keep:
            return np.empty((n, 4 * self.levels), dtype=np.int64)
        if len(self._buffer) < n:
            self._buffer = np.empty((n, 4 * self.levels), dtype=np.int64)
        return self._buffer[:n]

    def took(self, messages: np.ndarray, states: np.ndarray) -> None:
        """A batch is applied: write and keep its states."""
        if self.writer is not None:
            self.writer.write(messages, states, self.symbol_of)
        if self.keep:
            self._kept_states.append(states)
            self._kept_messages.append(messages.copy())  # the readers reuse their arrays

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    def states(self) -> Optional[np.ndarray]:
        if not self.keep:
            return None
        return (np.concatenate(self._kept_states) if self._kept_states
                else np.empty((0, 4 * self.levels), dtype=np.int64))

    def messages(self) -> Optional[np.ndarray]:
        if not self.keep:
            return None
        from engine.dtypes import FEED_DTYPE
        return np.concatenate(self._kept_messages) if self._kept_messages else np.empty(0, dtype=FEED_DTYPE)


__all__ = ["BookStateWriter", "BookStates", "MAX_LEVELS", "NO_ASK_PRICE", "NO_BID_PRICE", "book_state_columns",
           "new_book_states", "symbol_table"]
