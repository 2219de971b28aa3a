"""Re-matching: a file's flow sent through the engine's own matching (each
historical execution as an inferred incoming IOC order), with the Rule 611
check against away venues' quotes if given; what the engine did, next to what
history did."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import numpy as np

from engine._core import Book, ItchDecoder, ProtectedBook, Rematcher
from engine.dtypes import FEED_DTYPE
from engine.enums import ComplianceCode, EventType, TickRegime
from engine.replay.decode import by_locate, iter_itch, iter_lobster
from engine.replay.files import ReplayError, file_format, lobster_date, lobster_symbol, progress_total
from engine.replay.progress import Progress
from engine.replay.lobster_out import date_from_name
from engine.replay.quotes import QuoteFile, read_quotes
from engine.replay.writers import EventWriter


@dataclass
class RematchResult:
    """What the engine did with historical flow, next to what history did."""

    path: str
    seconds: float
    stats: dict  # the rematcher's: what history did and what was sent
    events: dict  # counts of the engine's events
    venues: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # where the quotes may not be the flow's (symbol, day)
    book: Optional[Book] = None  # the engine's book at the end

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
            f"  orders {s['orders']:,}, cancels {s['cancels']:,}, deletes {s['deletes']:,}, replaces {s['replaces']:,};"
            f" orders already gone in the engine {s['gone_in_engine']:,}; rejects {e['rejects']:,}",
        ]
        if e["blocked"] or e["routes"] or len(e["codes"]) > 1:
            codes = ", ".join(f"{k} {v:,}" for k, v in sorted(e["codes"].items()))
            lines.append(f"  Rule 611: blocked trade-throughs {e['blocked']:,}; fills by code: {codes}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _count_events(ev: np.ndarray, acc: dict, inferred_from: int) -> None:
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


def _quote_notes(path: str | Path, fmt: str, symbol: Optional[str], quote_date: Optional[str],
                 q: QuoteFile) -> list[str]:
    """What does not fit between the flow and its quotes: another symbol, another day, days left out."""
    notes = []
    flow_symbol = lobster_symbol(path) if fmt == "lobster" else symbol
    if flow_symbol and q.symbols and flow_symbol not in q.symbols:
        notes.append(f"the quote file is for {', '.join(q.symbols[:5])}, the flow for {flow_symbol}")
    if len(q.days) > 1 and quote_date is None:
        notes.append(f"the quote file holds {len(q.days)} days ({q.days[0]} to {q.days[-1]}); used {q.date} "
                     f"(choose with --date)")
    flow_day = lobster_date(path) if fmt == "lobster" else date_from_name(path)
    if flow_day and q.date and flow_day != q.date:
        notes.append(f"the quotes are of {q.date}, the flow of {flow_day}")
    return notes


def rematch(path: str | Path, quotes: str | Path | QuoteFile | None = None, *, symbol: Optional[str] = None,
            progress: bool = False, events_out: str | Path | None = None,
            tick_regime: TickRegime = TickRegime.PENNY_2005, quote_feed: Optional[str] = None,
            quote_date: Optional[str] = None, rule611: bool = True,
            on_events: Optional[Callable[[np.ndarray], None]] = None) -> RematchResult:
    """Send a LOBSTER or ITCH file's flow through the engine's matching (one
    symbol: ``symbol`` for a multi-stock ITCH file), with the Rule 611 check
    against a quote file if given (``quote_feed``: the feed its condition codes
    come from, when it has no feed column; ``quote_date``: the day to take
    from a TAQ file of several). Returns counts of what history and the engine
    did, with notes where the quotes' symbol or day is not the flow's;
    ``events_out`` (.csv or .parquet) keeps every engine event and
    ``on_events`` is called with each batch of them. ``quotes`` may be a quote
    file already read; ``rule611=False`` runs without the trade-through check
    and lock/cross handling (Rule 611 and 610(e) off). The time and rate count
    all the work, reading the quotes included."""
    t0 = time.perf_counter()
    fmt = file_format(path)
    if fmt not in ("lobster", "itch"):
        raise ReplayError(f"{path}: match mode reads LOBSTER and ITCH files (this is {fmt})")
    q: Optional[QuoteFile] = None
    notes: list[str] = []
    if quotes is not None:
        q = quotes if isinstance(quotes, QuoteFile) else read_quotes(quotes, feed=quote_feed, date=quote_date)
        notes = _quote_notes(path, fmt, symbol, quote_date, q)
    decoder = ItchDecoder() if fmt == "itch" else None
    bar = Progress(progress_total(path), Path(path).name, progress)

    def batches() -> Iterator[np.ndarray]:
        if decoder is None:
            yield from iter_lobster(path, bar)
            return
        locate = None
        for batch in iter_itch(path, decoder, bar):
            if locate is None:
                stocks = decoder.stocks()
                if symbol is None and len(stocks) > 1:
                    raise ReplayError(f"{path}: holds {len(stocks)} stocks: name one with symbol=")
                hits = [loc for loc, (sym, _, _) in stocks.items() if symbol in (None, sym)]
                locate = hits[0] if hits else None
            if locate is not None:
                yield batch[batch["locate"] == locate]

    try:
        run = rematch_stock(batches(), q, tick_regime=tick_regime, rule611=rule611, events_out=events_out,
                            on_events=on_events)
    finally:
        bar.close()
    return RematchResult(str(path), time.perf_counter() - t0, run.stats, run.events, q.venues if q else [], notes,
                         run.book)


@dataclass
class StockRun:
    """One stock re-matched: the rematcher's counts, the events', and the book."""

    stats: dict
    events: dict
    book: Book


class StockRematcher:
    """One stock re-matched in a fresh book as its messages arrive (``feed``
    batches of ``FEED_DTYPE``, in order), against ``quotes`` when given (each
    quote applied before the first message not older than it, whatever the
    batches); ``finish`` applies the quotes left and closes the events file."""

    def __init__(self, quotes: Optional[QuoteFile] = None, *, tick_regime: TickRegime = TickRegime.PENNY_2005,
                 rule611: bool = True, events_out: str | Path | None = None,
                 on_events: Optional[Callable[[np.ndarray], None]] = None) -> None:
        self.qarr = quotes.quotes if quotes is not None else None
        book: Book
        if quotes is not None:
            book = ProtectedBook("REPLAY", tick_regime=tick_regime, venues=quotes.venues)
            if not rule611:
                book.configure(rule611=False, lock_cross_protection=False)
        else:
            book = Book("REPLAY", tick_regime=tick_regime)
        book.reserve(1 << 16)
        self.book = book
        self.rm = Rematcher(book)
        self.events = {"fills": 0, "fill_shares": 0, "blocked": 0, "routes": 0, "rejects": 0, "unfilled_shares": 0,
                       "codes": {}}
        self.writer = EventWriter(events_out) if events_out else None
        self.on_events = on_events

    def _record(self, ev: np.ndarray) -> None:
        _count_events(ev, self.events, self.rm.first_inferred_id)
        if self.writer is not None:
            self.writer.write(ev)
        if self.on_events is not None:
            self.on_events(ev)

    def feed(self, batch: np.ndarray) -> None:
        due = None
        if self.qarr is not None and len(batch):
            cut = int(np.searchsorted(self.qarr["ts"], batch["ts"][-1], side="right"))
            due, self.qarr = self.qarr[:cut], self.qarr[cut:]
        self._record(self.rm.apply(np.ascontiguousarray(batch), due))

    def finish(self) -> StockRun:
        try:
            if self.qarr is not None and len(self.qarr):
                self._record(self.rm.apply(np.zeros(0, dtype=FEED_DTYPE), self.qarr))
                self.qarr = self.qarr[:0]
        finally:
            self.close()
        return StockRun(self.rm.stats, self.events, self.book)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def rematch_stock(batches: Iterable[np.ndarray], quotes: Optional[QuoteFile] = None, *,
                  tick_regime: TickRegime = TickRegime.PENNY_2005, rule611: bool = True,
                  events_out: str | Path | None = None,
                  on_events: Optional[Callable[[np.ndarray], None]] = None) -> StockRun:
    """One stock's messages re-matched (see :class:`StockRematcher`)."""
    run = StockRematcher(quotes, tick_regime=tick_regime, rule611=rule611, events_out=events_out,
                         on_events=on_events)
    try:
        for batch in batches:
            run.feed(batch)
    except BaseException:
        run.close()
        raise
    return run.finish()


MAX_EVENT_FILES = 400  # one events file stays open a stock while the file is read


def rematch_stocks(path: str | Path, *, symbols: Optional[list[str]] = None,
                   quotes: Optional[dict[str, str | Path]] = None, events_out: str | Path | None = None,
                   tick_regime: TickRegime = TickRegime.PENNY_2005, progress: bool = False) -> dict[str, StockRun]:
    """Every stock of an ITCH file (``symbols``: only those) re-matched, each
    in its own book as ``rematch(path, symbol=...)`` would, in one pass over
    the file: the single-process run that ``replay_parallel(mode="match")``
    splits across workers. ``quotes[symbol]`` names a stock's quote file;
    ``events_out`` (a folder) gets each stock's events as SYMBOL.parquet."""
    if file_format(path) != "itch":
        raise ReplayError(f"{path}: re-matching every stock reads ITCH files (for one LOBSTER file: rematch)")
    out = Path(events_out) if events_out is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    decoder = ItchDecoder()
    bar = Progress(progress_total(path), Path(path).name, progress)
    runs: dict[int, StockRematcher] = {}
    names: dict[int, str] = {}
    skip: set[int] = set()

    def run_of(loc: int) -> Optional[StockRematcher]:
        run = runs.get(loc)
        if run is not None or loc in skip:
            return run
        sym = names.get(loc)
        if sym is None or (symbols and sym not in symbols):
            skip.add(loc)
            return None
        if out is not None and len(runs) == MAX_EVENT_FILES:
            raise ReplayError(f"{path}: more than {MAX_EVENT_FILES} stocks' events to write at once: choose them "
                              f"with symbols= (--symbols), or split them across workers")
        q = read_quotes(quotes[sym]) if quotes and quotes.get(sym) else None
        runs[loc] = StockRematcher(q, tick_regime=tick_regime,
                                   events_out=out / f"{safe_symbol(sym)}.parquet" if out else None)
        return runs[loc]

    try:
        for batch in iter_itch(path, decoder, bar):
            if decoder.stock_count != len(names):
                names.update({loc: sym for loc, (sym, _, _) in decoder.stocks().items()})
            for loc, mine in by_locate(batch):
                run = run_of(loc)
                if run is not None:
                    run.feed(mine)
    except BaseException:
        for run in runs.values():
            run.close()
        raise
    finally:
        bar.close()
    return {names[loc]: runs[loc].finish() for loc in sorted(runs, key=lambda loc: names[loc])}


def safe_symbol(symbol: str) -> str:
    """A symbol as a file name (ITCH pads with spaces; some carry '.' or '/')."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in symbol.strip()) or "_"


__all__ = ["MAX_EVENT_FILES", "RematchResult", "StockRematcher", "StockRun", "rematch", "rematch_stock",
           "rematch_stocks", "safe_symbol"]
