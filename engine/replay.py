"""Replaying historical order flow: LOBSTER and Nasdaq TotalView-ITCH 5.0.

Files are read in large chunks and decoded in C++ into ``FEED_DTYPE`` records,
so no Python code runs per message and a whole day never sits in memory.

Book building applies the messages as the venue reported them, one book per
stock; a LOBSTER orderbook file makes it a verification, row by row (see
``BookBuilder.apply_lobster_verified``). Re-matching (``engine.rematch``) sends
the flow's orders through the engine's own matching instead.
"""
from __future__ import annotations

import gzip
import re
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Optional

import numpy as np

from engine._core import BookBuilder, ItchDecoder, LobsterDecoder, OrderbookDecoder
from engine.dtypes import FEED_DTYPE
from engine.enums import TickRegime

CHUNK_BYTES = 8 << 20  # what is read from the file at a time
BUFFER_RECORDS = 1 << 16  # decoded records per batch: stays in cache


class ReplayError(ValueError):
    """A file that cannot be replayed: names the file, where, and what."""


def open_stream(path: str | Path) -> BinaryIO:
    """Open a plain, gzip (``.gz``) or zip (``.zip``, first member) file for reading bytes."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file")
    if p.suffix == ".gz":
        return gzip.open(p, "rb")  # type: ignore[return-value]
    if p.suffix == ".zip":
        zf = zipfile.ZipFile(p)
        names = [n for n in zf.namelist() if not n.endswith("/")]
        if not names:
            raise ReplayError(f"{p}: the zip archive holds no file")
        return zf.open(names[0])  # type: ignore[return-value]
    return open(p, "rb")


def file_format(path: str | Path) -> str:
    """``"lobster"`` or ``"itch"``, from the name, else from the first bytes."""
    name = Path(path).name.lower()
    for suffix in (".gz", ".zip"):
        name = name.removesuffix(suffix)
    if name.endswith(".csv"):
        return "lobster"
    if name.endswith(".itch") or "itch" in name:
        return "itch"
    with open_stream(path) as f:
        head = f.read(64)
    return "lobster" if head[:1].isdigit() or head[:4] == b"Time" else "itch"


def lobster_levels(path: str | Path) -> Optional[int]:
    """The level count in a LOBSTER file name (``..._orderbook_10.csv`` -> 10)."""
    m = re.search(r"_(?:orderbook|message)_(\d+)\.csv", Path(path).name)
    return int(m.group(1)) if m else None


def lobster_orderbook_for(message_path: str | Path) -> Optional[Path]:
    """The orderbook file that LOBSTER names beside a message file, if it exists."""
    p = Path(message_path)
    candidate = p.with_name(p.name.replace("_message_", "_orderbook_"))
    return candidate if candidate != p and candidate.exists() else None


class Progress:
    """A progress bar over bytes: tqdm when installed, else a plain line on stderr."""

    def __init__(self, total: Optional[int], label: str, enabled: bool) -> None:
        self.enabled = enabled
        self.total = total
        self.label = label
        self.done = 0
        self._bar = None
        self._last = 0.0
        if enabled:
            try:
                from tqdm import tqdm

                self._bar = tqdm(total=total, unit="B", unit_scale=True, desc=label, file=sys.stderr)
            except ImportError:
                pass

    def update(self, n: int) -> None:
        if not self.enabled:
            return
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last > 0.5:
            self._last = now
            pct = f"{100 * self.done / self.total:5.1f}%" if self.total else f"{self.done >> 20} MiB"
            print(f"\r{self.label}: {pct}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            print(f"\r{self.label}: done{' ' * 12}", file=sys.stderr)


def _decode_stream(stream: BinaryIO, decode: Callable, path: str | Path, what: str,
                   progress: Optional[Progress] = None) -> Iterator[np.ndarray]:
    """Read `stream` in chunks and yield decoded record batches (views of one
    reused buffer: use each before asking for the next)."""
    pending = b""
    eof = False
    while not eof:
        chunk = stream.read(CHUNK_BYTES)  # looked up at each read, so tests can shrink it
        eof = not chunk
        if progress is not None and chunk:
            progress.update(len(chunk))
        data = memoryview(pending + chunk if pending else chunk)
        while True:
            try:
                records, used = decode(data, eof)
            except ValueError as exc:
                raise ReplayError(f"{path}: {what}{exc}") from None
            if len(records):
                yield records
            data = data[used:]
            if used == 0 or not len(data) or len(records) == 0:
                break
        pending = bytes(data)
        if eof and pending:
            raise ReplayError(f"{path}: {what}the file ends inside a record ({len(pending)} bytes left over)")


def iter_lobster(path: str | Path, progress: Optional[Progress] = None) -> Iterator[np.ndarray]:
    """LOBSTER message records, batch by batch (``FEED_DTYPE``; a reused buffer)."""
    decoder = LobsterDecoder()
    buf = np.empty(BUFFER_RECORDS, dtype=FEED_DTYPE)
    with open_stream(path) as f:
        yield from _decode_stream(f, lambda d, fin: decoder.decode(d, fin, out=buf), path, "", progress)


def iter_itch(path: str | Path, decoder: Optional[ItchDecoder] = None,
              progress: Optional[Progress] = None) -> Iterator[np.ndarray]:
    """ITCH message records, batch by batch (``FEED_DTYPE``; a reused buffer)."""
    decoder = decoder or ItchDecoder()
    buf = np.empty(BUFFER_RECORDS, dtype=FEED_DTYPE)
    with open_stream(path) as f:
        yield from _decode_stream(f, lambda d, fin: decoder.decode(d, fin, out=buf), path, "", progress)


def _orderbook_batches(stream: BinaryIO, path: str | Path, levels: int) -> Iterator[np.ndarray]:
    """A LOBSTER orderbook stream's rows, batch by batch (int64, ``4 * levels``
    columns; each batch a fresh array, safe to keep)."""
    return _decode_stream(stream, OrderbookDecoder(levels).decode, path, "")


class OrderbookRows:
    """A LOBSTER orderbook file, handed out in runs of rows that line up with
    the message batches (``take(n)``), decoding as it goes."""

    def __init__(self, path: str | Path, levels: int) -> None:
        self.path = path
        self.levels = levels
        self._stream = open_stream(path)
        self._batches = _orderbook_batches(self._stream, path, levels)
        self._rows: np.ndarray = np.empty((0, 4 * levels), dtype=np.int64)

    def take(self, n: int) -> np.ndarray:
        while len(self._rows) < n:
            batch = next(self._batches, None)
            if batch is None:
                raise ReplayError(f"{self.path}: the orderbook file has fewer rows than the message file")
            self._rows = np.concatenate([self._rows, batch]) if len(self._rows) else batch
        out, self._rows = self._rows[:n], self._rows[n:]
        return np.ascontiguousarray(out)

    def close(self) -> None:
        self._stream.close()


def read_lobster_orderbook(path: str | Path, levels: Optional[int] = None) -> np.ndarray:
    """A whole LOBSTER orderbook file as an int64 array of shape (rows, 4 * levels)."""
    levels = levels or lobster_levels(path)
    if not levels:
        raise ReplayError(f"{path}: cannot tell the number of levels from the name; pass levels=")
    with open_stream(path) as f:
        parts = list(_orderbook_batches(f, path, levels))
    return np.concatenate(parts) if parts else np.empty((0, 4 * levels), dtype=np.int64)


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

    def book(self, symbol_or_locate=0):
        """The book of a stock, by ITCH symbol or locate (LOBSTER: locate 0)."""
        if isinstance(symbol_or_locate, str):
            for loc, (sym, _, _) in self.stocks.items():
                if sym == symbol_or_locate:
                    return self.builder.book(loc, sym)
            raise KeyError(f"no stock {symbol_or_locate!r} in {self.path}")
        return self.builder.book(symbol_or_locate)

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
        anomalies = {k: s[k] for k in ("unknown_orders", "duplicate_adds", "over_executions") if s[k]}
        lines.append("  anomalies: " + (", ".join(f"{k} {v:,}" for k, v in anomalies.items()) or "none"))
        if self.orderbook:
            lines.append(
                f"  checked against {Path(self.orderbook).name}: {s['rows_checked']:,} rows,"
                f" {s['rows_matched']:,} matched as replayed; levels taken from the file:"
                f" {self.corrections:,} ({s['levels_imported']:,} entered the window, {s['levels_resized']:,}"
                f" resized and {s['levels_dropped']:,} left it while outside the file's view)")
        return "\n".join(lines)


def _size(path: str | Path) -> Optional[int]:
    """The progress total: the file's size, or None for a compressed file (the
    bar counts decompressed bytes, whose total is unknown, so it shows MiB read)."""
    p = Path(path)
    return None if p.suffix in (".gz", ".zip") else p.stat().st_size


def replay_lobster(path: str | Path, orderbook: str | Path | None = None, *, progress: bool = False,
                   tick_regime: TickRegime = TickRegime.PENNY_2005) -> ReplayResult:
    """Build the book from a LOBSTER message file; with its orderbook file, check
    it after every message (levels the file cannot explain are taken from it
    and counted)."""
    builder = BookBuilder(tick_regime)
    bar = Progress(_size(path), Path(path).name, progress)
    rows = None
    if orderbook is not None:
        levels = lobster_levels(orderbook) or lobster_levels(path)
        if not levels:
            raise ReplayError(f"{orderbook}: cannot tell the number of levels from the name")
        rows = OrderbookRows(orderbook, levels)
    t0 = time.perf_counter()
    try:
        for batch in iter_lobster(path, bar):
            if rows is None:
                builder.apply(batch)
            else:
                builder.apply_lobster_verified(batch, rows.take(len(batch)))
    finally:
        bar.close()
        if rows is not None:
            rows.close()
    seconds = time.perf_counter() - t0
    return ReplayResult(str(path), "lobster", seconds, builder.stats, builder,
                        orderbook=str(orderbook) if orderbook else None)


def replay_itch(path: str | Path, symbols: Optional[list[str]] = None, *, progress: bool = False,
                tick_regime: TickRegime = TickRegime.PENNY_2005) -> ReplayResult:
    """Build one book per stock from an ITCH 5.0 file (``symbols``: only those)."""
    builder = BookBuilder(tick_regime)
    decoder = ItchDecoder()
    bar = Progress(_size(path), Path(path).name, progress)
    wanted = set(symbols or [])
    if wanted:
        builder.select([])  # nothing is built until the directory names a wanted symbol
    selected: set[int] = set()
    seen_stocks = 0
    t0 = time.perf_counter()
    try:
        for batch in iter_itch(path, decoder, bar):
            if wanted:
                stocks = decoder.stocks()
                if len(stocks) != seen_stocks:  # new directory entries: select the wanted symbols
                    seen_stocks = len(stocks)
                    new = {loc for loc, (sym, _, _) in stocks.items() if sym in wanted} - selected
                    if new:
                        builder.select(new)
                        selected |= new
            builder.apply(batch)
    finally:
        bar.close()
    seconds = time.perf_counter() - t0
    stats = builder.stats
    stats["messages_in_file"] = decoder.messages
    stats["skipped_types"] = decoder.skipped
    return ReplayResult(str(path), "itch", seconds, stats, builder, stocks=decoder.stocks())


class EventWriter:
    """Writes event arrays to CSV (``.csv``) or Parquet (``.parquet``, needs pyarrow)."""

    def __init__(self, path: str | Path) -> None:
        from engine.dtypes import EVENT_DTYPE

        self.path = Path(path)
        self.names = list(EVENT_DTYPE.names or ())
        self.rows = 0
        if self.path.suffix == ".parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise ReplayError(f"{self.path}: writing Parquet needs pyarrow (pip install pyarrow)") from None
            self._parquet: Any = None
            self._file: Any = None
        elif self.path.suffix == ".csv":
            self._file = open(self.path, "w")
            self._file.write(",".join(self.names) + "\n")
        else:
            raise ReplayError(f"{self.path}: events can be written as .csv or .parquet")

    def write(self, events: np.ndarray) -> None:
        if not len(events):
            return
        self.rows += len(events)
        if self._file is not None:
            cols = np.column_stack([events[n].astype(np.int64) for n in self.names])
            np.savetxt(self._file, cols, fmt="%d", delimiter=",")
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({n: events[n] for n in self.names})
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(str(self.path), table.schema)
        self._parquet.write_table(table)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        elif self._parquet is not None:
            self._parquet.close()


@dataclass
class RematchResult:
    """What the engine did with historical flow, next to what history did."""

    path: str
    seconds: float
    stats: dict  # the rematcher's: what history did and what was sent
    events: dict  # counts of the engine's events
    venues: list = field(default_factory=list)

    def summary(self) -> str:
        s, e = self.stats, self.events
        lines = [
            f"{self.path}: re-matched {s['messages']:,} messages in {self.seconds:.3f} s"
            f" = {s['messages'] / max(self.seconds, 1e-9) / 1e6:.2f} M messages/s"
            + (f", with {s['quotes']:,} quote updates from {len(self.venues)} venues" if s["quotes"] else ""),
            f"  history: {s['history_executions']:,} executions for {s['history_shares']:,} shares",
            f"  engine:  {e['fills']:,} fills for {e['fill_shares']:,} shares"
            f" ({e['fill_shares'] - s['history_shares']:+,} shares against history);"
            f" {s['inferred_takers']:,} inferred incoming orders, {e['unfilled_shares']:,} of their shares not filled",
            f"  orders {s['orders']:,}, cancels {s['cancels']:,}, replaces {s['replaces']:,};"
            f" orders already gone in the engine {s['gone_in_engine']:,}; rejects {e['rejects']:,}",
        ]
        if e["blocked"] or e["routes"] or len(e["codes"]) > 1:
            codes = ", ".join(f"{k} {v:,}" for k, v in sorted(e["codes"].items()))
            lines.append(f"  Rule 611: blocked trade-throughs {e['blocked']:,}; fills by code: {codes}")
        return "\n".join(lines)


def _count_events(ev: np.ndarray, acc: dict, inferred_from: int) -> None:
    from engine.enums import ComplianceCode, EventType

    t = ev["type"]
    fills = ev[t == EventType.FILL]
    acc["fills"] += len(fills)
    acc["fill_shares"] += int(fills["quantity"].sum())
    acc["blocked"] += int((t == EventType.BLOCKED).sum())
    acc["routes"] += int((t == EventType.ROUTE).sum())
    acc["rejects"] += int((t == EventType.REJECTED).sum())
    cancelled = ev[(t == EventType.CANCELLED) & (ev["order_id"] >= inferred_from)]
    acc["unfilled_shares"] += int(cancelled["quantity"].sum())
    codes, counts = np.unique(fills["compliance_code"], return_counts=True)
    for c, k in zip(codes.tolist(), counts.tolist(), strict=True):
        name = ComplianceCode(c).name
        acc["codes"][name] = acc["codes"].get(name, 0) + k


def rematch(path: str | Path, quotes: str | Path | None = None, *, symbol: Optional[str] = None,
            progress: bool = False, events_out: str | Path | None = None,
            tick_regime: TickRegime = TickRegime.PENNY_2005, quote_feed: Optional[str] = None) -> RematchResult:
    """Send a LOBSTER or ITCH file's flow through the engine's matching (one
    symbol: ``symbol`` for a multi-stock ITCH file), with the Rule 611 check
    against a quote file if given (``quote_feed``: the feed its condition codes
    come from, when it has no feed column). Returns counts of what history and
    the engine did; ``events_out`` (.csv or .parquet) keeps every engine event."""
    from engine._core import Book, ProtectedBook, Rematcher
    from engine.quotes import read_quote_file

    venues: list[str] = []
    qarr = None
    book: Book
    if quotes is not None:
        qarr, venues = read_quote_file(quotes, feed=quote_feed)
        book = ProtectedBook("REPLAY", tick_regime=tick_regime, venues=venues)
    else:
        book = Book("REPLAY", tick_regime=tick_regime)
    book.reserve(1 << 16)
    rm = Rematcher(book)
    acc = {"fills": 0, "fill_shares": 0, "blocked": 0, "routes": 0, "rejects": 0, "unfilled_shares": 0, "codes": {}}
    writer = EventWriter(events_out) if events_out else None
    fmt = file_format(path)
    decoder = ItchDecoder() if fmt == "itch" else None
    bar = Progress(_size(path), Path(path).name, progress)
    locate = None

    def record(ev: np.ndarray) -> None:
        _count_events(ev, acc, rm.first_inferred_id)
        if writer is not None:
            writer.write(ev)

    t0 = time.perf_counter()
    try:
        batches = iter_lobster(path, bar) if fmt == "lobster" else iter_itch(path, decoder, bar)
        for batch in batches:
            if decoder is not None:
                if locate is None:
                    stocks = decoder.stocks()
                    if symbol is None and len(stocks) > 1:
                        raise ReplayError(f"{path}: holds {len(stocks)} stocks: name one with symbol=")
                    hits = [loc for loc, (sym, _, _) in stocks.items() if symbol in (None, sym)]
                    locate = hits[0] if hits else None
                if locate is None:
                    continue
                batch = batch[batch["locate"] == locate]
            due = None
            if qarr is not None and len(batch):
                cut = int(np.searchsorted(qarr["ts"], batch["ts"][-1], side="right"))
                due, qarr = qarr[:cut], qarr[cut:]
            record(rm.apply(np.ascontiguousarray(batch), due))
        if qarr is not None and len(qarr):
            record(rm.apply(np.zeros(0, dtype=FEED_DTYPE), qarr))
    finally:
        bar.close()
        if writer is not None:
            writer.close()
    return RematchResult(str(path), time.perf_counter() - t0, rm.stats, acc, venues)


def replay(path: str | Path, **kw) -> ReplayResult:
    """Replay a LOBSTER or ITCH file, whichever it is (see :func:`replay_lobster`, :func:`replay_itch`)."""
    if file_format(path) == "lobster":
        kw.pop("symbols", None)
        return replay_lobster(path, **kw)
    kw.pop("orderbook", None)
    return replay_itch(path, **kw)


__all__ = [
    "OrderbookRows",
    "Progress",
    "ReplayError",
    "ReplayResult",
    "file_format",
    "iter_itch",
    "iter_lobster",
    "lobster_levels",
    "lobster_orderbook_for",
    "open_stream",
    "read_lobster_orderbook",
    "replay",
    "replay_itch",
    "replay_lobster",
    "rematch",
    "EventWriter",
    "RematchResult",
]
