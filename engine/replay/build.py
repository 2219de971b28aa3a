"""Book building: a venue's own messages applied as it reported them, one book
per stock; with a LOBSTER orderbook file, a check of the book after every
message (see ``BookBuilder.apply_lobster_verified``)."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

from engine._core import Book, BookBuilder, ItchDecoder
from engine.enums import TickRegime
from engine.feed import ANOMALIES
from engine.replay.dbn import DbnReader, iter_dbn
from engine.replay.decode import Buffers, OrderbookRows, iter_itch, iter_lobster
from engine.replay.files import (
    ReplayError,
    check_lobster_pair,
    file_format,
    lobster_levels,
    lobster_symbol,
    progress_total,
)
from engine.replay.pipeline import pipelined
from engine.replay.progress import Progress
from engine.replay.states import BookStates, book_state_columns, symbol_table
from engine.tables import to_arrow, to_pandas


@dataclass
class ReplayResult:
    """What a replay did: counters, timing, and the books it built."""

    path: str
    file_format: str
    seconds: float
    stats: dict
    builder: BookBuilder
    stocks: dict = field(default_factory=dict)  # ITCH: {locate: (symbol, category, round lot)}
    orderbook: Optional[str] = None
    #: with ``book_levels`` and ``keep_book_states``: the book after each message
    #: (rows aligned with :attr:`state_messages`; layout in engine.replay.states)
    book_states: Optional[np.ndarray] = None
    #: the messages (``FEED_DTYPE``) the rows of :attr:`book_states` follow
    state_messages: Optional[np.ndarray] = None
    book_out: Optional[str] = None  #: where the book states were written

    @property
    def messages(self) -> int:
        return int(self.stats["messages"])

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else float("inf")

    @property
    def corrections(self) -> int:
        s = self.stats
        return int(s["levels_imported"] + s["levels_resized"] + s["levels_dropped"])

    def book(self, symbol_or_locate: str | int = 0) -> Optional[Book]:
        """The book of a stock, by symbol (ITCH: from its directory; LOBSTER:
        from the file name) or by locate (LOBSTER: 0)."""
        if isinstance(symbol_or_locate, str):
            if self.file_format == "lobster" and symbol_or_locate == lobster_symbol(self.path):
                return self.builder.book(0, symbol_or_locate)
            for loc, (sym, _, _) in self.stocks.items():
                if sym == symbol_or_locate:
                    return self.builder.book(loc, sym)
            raise KeyError(f"no stock {symbol_or_locate!r} in {self.path}")
        return self.builder.book(symbol_or_locate)

    def symbols_of(self, locates: np.ndarray) -> np.ndarray:
        """The symbol of each locate (LOBSTER: the file's; ITCH, DBN: the stocks met)."""
        if self.file_format == "lobster":
            return np.full(len(locates), lobster_symbol(self.path), dtype=object)
        return symbol_table(self.stocks)[np.asarray(locates, dtype=np.int64)]

    def _states(self) -> tuple[np.ndarray, np.ndarray]:
        if self.book_states is None or self.state_messages is None:
            raise ValueError("no book states kept: replay with book_levels=N and keep_book_states=True")
        return self.state_messages, self.book_states

    def to_pandas(self, names: bool = False) -> Any:
        """The book after every message as a pandas DataFrame: the message's
        fields, its symbol, then the state columns (``ask_price_1``, ...).
        ``names``: enum codes as names (engine.tables)."""
        import pandas as pd  # to_pandas below says how to install it

        messages, states = self._states()
        df = to_pandas(messages, names)
        df.insert(df.columns.get_loc("locate") + 1, "symbol", self.symbols_of(messages["locate"]))
        columns = book_state_columns(states.shape[1] // 4)
        return df.join(pd.DataFrame(states, columns=columns, index=df.index, copy=False))

    def to_arrow(self, names: bool = False) -> Any:
        """The same as an Arrow table."""
        import pyarrow as pa

        messages, states = self._states()
        table = to_arrow(messages, names)
        table = table.add_column(table.schema.get_field_index("locate") + 1, "symbol",
                                 pa.array(self.symbols_of(messages["locate"])))
        for j, name in enumerate(book_state_columns(states.shape[1] // 4)):
            table = table.append_column(name, pa.array(np.ascontiguousarray(states[:, j])))
        return table

    def summary(self) -> str:
        s = self.stats
        skipped = f" (and {s['skipped_types']:,} of types not used, skipped)" if s.get("skipped_types") else ""
        lines = [
            f"{self.path} ({self.file_format}): {self.messages:,} messages{skipped} in {self.seconds:.3f} s"
            f" = {self.messages_per_second / 1e6:.2f} M messages/s",
            f"  books: {self.builder.book_count}; orders added {s['adds']:,}, cancels {s['cancels']:,},"
            f" deletes {s['deletes']:,}, replaces {s['replaces']:,}",
            f"  executions {s['executions']:,} for {s['executed_shares']:,} shares; hidden {s['hidden_executions']:,}"
            f" for {s['hidden_shares']:,}; crosses {s['cross_trades']:,} for {s['cross_shares']:,}",
        ]
        if self.file_format == "dbn":
            lines.append(f"  modifies {s['modifies']:,}, clears {s['clears']:,}; trades {s['trades']:,} for"
                         f" {s['trade_shares']:,} shares, fills {s['fills']:,} for {s['fill_shares']:,}")
        anomalies = [k for k in ANOMALIES if s.get(k)]
        lines.append("  anomalies: " + ("none" if not anomalies else ", ".join(f"{k} {s[k]:,}" for k in anomalies)))
        lines += [f"    {k}: {ANOMALIES[k]}" for k in anomalies if k != "crossed_states"]
        if s.get("crossed_states"):
            hint = ("the file's level window hides deletes; give its orderbook file to correct"
                    if self.file_format == "lobster" and not self.orderbook else "the feed misses removals")
            lines.append(f"    {s['crossed_states']:,} states crossed or locked: {hint}")
        if self.orderbook:
            lines.append(
                f"  checked against {Path(self.orderbook).name}: {s['rows_checked']:,} rows,"
                f" {s['rows_matched']:,} matched as replayed; levels taken from the file:"
                f" {self.corrections:,} ({s['levels_imported']:,} entered the window, {s['levels_resized']:,}"
                f" resized and {s['levels_dropped']:,} left it while outside the file's view)")
        return "\n".join(lines)


_STATE_KEYWORDS = """``book_levels``: compute the book after every message, that many levels
    a side (engine.replay.states), and with ``book_out`` write it to a .csv or
    .parquet file as the replay goes, with ``keep_book_states`` keep it in
    ``result.book_states`` (aligned with ``result.state_messages``)."""


def _book_states(path: str | Path, book_levels: int, book_out: Optional[str | Path],
                 keep_book_states: bool) -> Optional[BookStates]:
    if not book_levels:
        if book_out is not None or keep_book_states:
            raise ValueError(f"{path}: book_out and keep_book_states need book_levels (1 for the top of book)")
        return None
    return BookStates(book_levels, book_out, keep_book_states)


def _result(states: Optional[BookStates], **kw) -> ReplayResult:
    if states is None:
        return ReplayResult(**kw)
    return ReplayResult(**kw, book_states=states.states(), state_messages=states.messages(),
                        book_out=str(states.writer.path) if states.writer else None)


def replay_lobster(path: str | Path, orderbook: str | Path | None = None, *, progress: bool = False,
                   tick_regime: TickRegime = TickRegime.PENNY_2005, threads: bool = True, book_levels: int = 0,
                   book_out: str | Path | None = None, keep_book_states: bool = False) -> ReplayResult:
    """Build the book from a LOBSTER message file; with its orderbook file, check
    it after every message (levels the file cannot explain are taken from it
    and counted). ``threads``: decode on a second thread while the book is
    built (the same result; faster on two cores). {states}"""
    builder = BookBuilder(tick_regime)
    states = _book_states(path, book_levels, book_out, keep_book_states)
    if states is not None:
        symbol = lobster_symbol(path)
        states.symbol_of = lambda locates: np.full(len(locates), symbol, dtype=object)
    rows = None
    if orderbook is not None:
        check_lobster_pair(path, orderbook)
        levels = lobster_levels(orderbook) or lobster_levels(path)
        if not levels:
            raise ReplayError(f"{orderbook}: cannot tell the number of levels from the name")
        rows = OrderbookRows(orderbook, levels)
    bar = Progress(progress_total(path), Path(path).name, progress)

    def build(batch: np.ndarray, _: Any = None) -> None:
        out = states.buffer(len(batch)) if states is not None else None
        if rows is None:
            builder.apply(batch, out)
        else:
            builder.apply_lobster_verified(batch, rows.take(len(batch)), out)
        if states is not None:
            states.took(batch, out)

    t0 = time.perf_counter()
    try:
        if threads and rows is None:
            pipelined(lambda buffers: iter_lobster(path, bar, buffers), build)
        else:
            for batch in iter_lobster(path, bar):
                build(batch)
        if rows is not None:
            rows.finish(builder.stats["messages"])
    finally:
        bar.close()
        if rows is not None:
            rows.close()
        if states is not None:
            states.close()
    seconds = time.perf_counter() - t0
    return _result(states, path=str(path), file_format="lobster", seconds=seconds, stats=builder.stats,
                   builder=builder, orderbook=str(orderbook) if orderbook else None)


replay_lobster.__doc__ = (replay_lobster.__doc__ or "").format(states=_STATE_KEYWORDS)


def _replay_stocks(path: str | Path, file_format: str, batches: Callable[[Progress, Optional[Buffers]], Any],
                   stock_count: Callable[[], int], stocks: Callable[[], dict], symbols: Optional[list[str]],
                   progress: bool, tick_regime: TickRegime, threads: bool, states: Optional[BookStates]
                   ) -> tuple[BookBuilder, float]:
    """Build one book per stock from a file of many (ITCH, DBN): ``batches``
    decodes it; ``stock_count`` and ``stocks`` tell the stocks met so far
    (``{locate: (symbol, ...)}``), for the symbol filter and the states' symbols."""
    builder = BookBuilder(tick_regime)
    names = symbol_table({})  # locate -> symbol, as the stocks arrive
    if states is not None:
        states.symbol_of = lambda locates: names[locates]
    bar = Progress(progress_total(path), Path(path).name, progress)
    wanted = set(symbols or [])
    if wanted:
        builder.select([])  # nothing is built until a wanted symbol appears
    selected: set[int] = set()
    seen = [0]

    def directory() -> Optional[dict]:
        """On the decoding thread, after a batch: the stocks if more were met
        and someone needs them (the symbol filter, or the book states' symbols)."""
        if (not wanted and states is None) or stock_count() == seen[0]:
            return None
        seen[0] = stock_count()
        return stocks()

    def build(batch, met: Optional[dict]) -> None:
        if met:  # new stocks: select the wanted symbols before building
            names[:] = symbol_table(met)  # every stock met so far
            new = {loc for loc, (sym, *_rest) in met.items() if sym in wanted} - selected
            if new:
                builder.select(new)
                selected.update(new)
        if states is None:
            builder.apply(batch)
            return
        out = states.buffer(len(batch))
        builder.apply(batch, out)
        states.took(batch, out)

    t0 = time.perf_counter()
    try:
        if threads:
            pipelined(lambda buffers: batches(bar, buffers), build, after_batch=directory)
        else:
            for batch in batches(bar, None):
                build(batch, directory())
    finally:
        bar.close()
        if states is not None:
            states.close()
    return builder, time.perf_counter() - t0


def replay_itch(path: str | Path, symbols: Optional[list[str]] = None, *, progress: bool = False,
                tick_regime: TickRegime = TickRegime.PENNY_2005, threads: bool = True, book_levels: int = 0,
                book_out: str | Path | None = None, keep_book_states: bool = False) -> ReplayResult:
    """Build one book per stock from an ITCH 5.0 file (``symbols``: only those).
    ``threads`` and the book states as for :func:`replay_lobster`."""
    states = _book_states(path, book_levels, book_out, keep_book_states)
    decoder = ItchDecoder()
    builder, seconds = _replay_stocks(
        path, "itch", lambda bar, buffers: iter_itch(path, decoder, bar, buffers), lambda: decoder.stock_count,
        decoder.stocks, symbols, progress, tick_regime, threads, states)
    stats = builder.stats
    stats["messages_in_file"] = decoder.messages
    stats["skipped_types"] = decoder.skipped
    return _result(states, path=str(path), file_format="itch", seconds=seconds, stats=stats, builder=builder,
                   stocks=decoder.stocks())


def replay_dbn(path: str | Path, symbols: Optional[list[str]] = None, *, progress: bool = False,
               tick_regime: TickRegime = TickRegime.PENNY_2005, threads: bool = True, book_levels: int = 0,
               book_out: str | Path | None = None, keep_book_states: bool = False) -> ReplayResult:
    """Build one book per instrument from a Databento DBN file of MBO records
    (``.dbn`` or ``.dbn.zst``; needs databento-dbn, and zstandard for .zst;
    mapping in engine.replay.dbn). ``symbols``, ``threads`` and the book
    states as for :func:`replay_itch`; in the states, ``code & 128`` (F_LAST)
    marks the rows where an event is complete."""
    states = _book_states(path, book_levels, book_out, keep_book_states)
    reader = DbnReader(path)
    builder, seconds = _replay_stocks(
        path, "dbn", lambda bar, buffers: iter_dbn(path, reader, bar, buffers), lambda: len(reader.stocks),
        lambda: dict(reader.stocks), symbols, progress, tick_regime, threads, states)
    stats = builder.stats
    stats["skipped_types"] = reader.skipped
    return _result(states, path=str(path), file_format="dbn", seconds=seconds, stats=stats, builder=builder,
                   stocks=dict(reader.stocks))


def replay(path: str | Path, **kw) -> ReplayResult:
    """Replay a LOBSTER, ITCH or DBN file, whichever it is (see
    :func:`replay_lobster`, :func:`replay_itch`, :func:`replay_dbn`)."""
    fmt = file_format(path)
    if fmt == "lobster":
        kw.pop("symbols", None)
        return replay_lobster(path, **kw)
    kw.pop("orderbook", None)
    return replay_dbn(path, **kw) if fmt == "dbn" else replay_itch(path, **kw)


__all__ = ["ANOMALIES", "ReplayResult", "replay", "replay_dbn", "replay_itch", "replay_lobster"]
