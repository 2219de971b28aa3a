"""Replay beyond one core and one machine, on Dask (the ``distributed`` extra).

Books are independent per stock, so the work splits by stock:

* an ITCH file is split first, in this process, in one pass: each stock's
  decoded records (``FEED_DTYPE``, raw) go, with their message numbers in the
  file, to the group file of its locate modulo the group count, in a work
  folder. Workers read only their group's file, so the work folder must be
  a path every worker can see (local disk on one machine; shared storage on a
  cluster: pass ``work_dir``). Stock-less messages (system events) go with
  the first group, so the counts add up to the single-process run's;
* LOBSTER and DBN files are one task each.

Each task does one of three things with its group's stocks, each stock in a
book of its own, and returns a summary per stock (orders, top of book, a
digest of the resting orders in priority order) and its counters:

* builds the books as the venue reported them with the same C++
  ``BookBuilder`` as a single process, writing book states, when asked, into
  ``book_out`` (a folder: one file per group);
* re-matches them through the engine (``mode="match"``: each stock as
  ``rematch(path, symbol=...)`` would, against its own quote file when one
  is named), writing each stock's events into ``events_out/SYMBOL.parquet``;
* writes LOBSTER message and orderbook files for them (``lobster_out``), as
  ``write_lobster`` does.

Within a book the messages keep their file order, so every stock's book,
states, events, files and counts equal a single-process run's whatever the
number of workers.

A worker that dies mid-task has its task rerun elsewhere (Dask reschedules the
tasks of a lost worker; ``retries`` covers a task that raises).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional, Union

import numpy as np

from engine._core import BookBuilder, ItchDecoder
from engine.dtypes import FEED_DTYPE
from engine.enums import TickRegime
from engine.replay.decode import iter_itch, take_records
from engine.replay.files import ReplayError, file_format, lobster_symbol
from engine.replay.lobster_out import date_from_name, write_lobster_records
from engine.replay.progress import Progress
from engine.replay.quotes import read_quotes
from engine.replay.rematch import rematch, rematch_stock, safe_symbol
from engine.replay.states import BookStateWriter, check_levels, symbol_table

Workers = Union[int, str, None]


def orders_digest(book: Any) -> str:
    """A digest of a book's resting orders in priority order (id, side, price,
    shares, time): equal digests, equal books."""
    orders = book.orders()
    h = hashlib.sha256()
    for name in ("order_id", "side", "price", "leaves", "displayed", "ts"):
        h.update(np.ascontiguousarray(orders[name]).tobytes())
    return h.hexdigest()[:16]


def stock_summary(book: Any) -> dict:
    return {"orders": len(book), "top": tuple(book.top()), "digest": orders_digest(book)}


# --------------------------------------------------------------- splitting ITCH
@dataclass
class Split:
    """An ITCH file split by stock group: each group's records and message
    numbers, and the stock directory."""

    path: str
    folder: Path
    groups: list[tuple[Path, Path]]  # (records file, message numbers file)
    stocks: dict
    messages: int
    seconds: float


def split_itch(path: str | Path, folder: str | Path, groups: int, symbols: Optional[list[str]] = None) -> Split:
    """Split an ITCH file into ``groups`` files of whole stocks (see the module),
    in one pass: stock locate modulo ``groups`` (locates are dense, so the
    groups come out about equal in stocks; a day's busiest stocks spread by
    chance). With ``symbols``, only those stocks' messages are kept."""
    t0 = time.perf_counter()
    folder = Path(folder)
    groups = min(max(int(groups), 1), 65_535)  # a group number fits 16 bits (more groups than stocks gain nothing)
    decoder = ItchDecoder()
    files = [(folder / f"group{g:04d}.feed", folder / f"group{g:04d}.index") for g in range(groups)]
    handles = [(open(a, "wb"), open(b, "wb")) for a, b in files]
    keep = np.ones(65_536, dtype=bool)
    known = 0
    try:
        position = 0
        for batch in iter_itch(path, decoder):
            if symbols and decoder.stock_count != known:  # new directory entries: the filter grows
                known = decoder.stock_count
                keep[:] = False
                keep[0] = True  # system events
                for loc, (sym, _, _) in decoder.stocks().items():
                    keep[loc] = sym in symbols
            numbers = np.arange(position, position + len(batch), dtype=np.int64)
            position += len(batch)
            locates = batch["locate"]
            # `groups`: dropped; 16-bit keys, so the stable sort is numpy's radix sort (15x a 64-bit one)
            group = np.where(keep[locates], locates % groups, groups).astype(np.uint16)
            order = np.argsort(group, kind="stable")  # one gather, not a boolean mask a group
            bounds = np.searchsorted(group[order], np.arange(groups + 1)).tolist()
            grouped, numbered = take_records(batch, order), numbers[order]
            for k, (records, index) in enumerate(handles):
                a, b = bounds[k], bounds[k + 1]
                if b > a:
                    records.write(grouped[a:b].tobytes())
                    index.write(numbered[a:b].tobytes())
    finally:
        for a, b in handles:
            a.close()
            b.close()
    return Split(str(path), folder, files, decoder.stocks(), int(position), time.perf_counter() - t0)


# --------------------------------------------------------------- the tasks
def build_group(records_file: str, index_file: str, stocks: dict, tick_regime: int, book_levels: int,
                book_out: Optional[str], chunk: int = 1 << 16) -> dict:
    """A task: build one group's books; per-stock summaries and counters back,
    book states (if asked) written beside the others in ``book_out``."""
    t0 = time.perf_counter()
    records = np.memmap(records_file, dtype=FEED_DTYPE, mode="r") if os.path.getsize(records_file) else \
        np.zeros(0, dtype=FEED_DTYPE)
    numbers = np.fromfile(index_file, dtype=np.int64)
    builder = BookBuilder(tick_regime)
    writer = None
    if book_levels and book_out:
        writer = BookStateWriter(Path(book_out) / (Path(records_file).stem + ".parquet"), book_levels)
        names = symbol_table(stocks)
    states = np.empty((chunk, 4 * max(book_levels, 1)), dtype=np.int64)
    for i in range(0, len(records), chunk):
        batch = records[i:i + chunk]  # apply copies each record before use: the mapped file is read in place
        if writer is None:
            builder.apply(batch)
        else:
            out = states[:len(batch)]
            builder.apply(batch, out)
            writer.write(batch, out, lambda locates: names[locates], numbers[i:i + len(batch)])
    if writer is not None:
        writer.close()
    per_stock = {}
    for loc in np.unique(records["locate"]).tolist() if len(records) else []:
        book = builder.book(loc)
        if book is not None and loc in stocks:
            per_stock[stocks[loc][0]] = stock_summary(book)
    seconds = time.perf_counter() - t0
    return {"stats": builder.stats, "stocks": per_stock, "messages": len(records), "seconds": seconds,
            "worker": worker_name()}


def _by_stock(records: np.ndarray, stocks: dict) -> Iterator[tuple[str, np.ndarray]]:
    """Each known stock's records, in file order (one stable sort, not a scan a stock)."""
    if not len(records):
        return
    locates = np.asarray(records["locate"])
    order = np.argsort(locates, kind="stable")
    sorted_locates = locates[order]
    starts = np.flatnonzero(np.r_[True, sorted_locates[1:] != sorted_locates[:-1]])
    for a, b in zip(starts.tolist(), np.r_[starts[1:], len(order)].tolist()):
        loc = int(sorted_locates[a])
        if loc in stocks:  # system events belong to no stock's book
            yield stocks[loc][0], take_records(records, order[a:b])


def match_group(records_file: str, index_file: str, stocks: dict, tick_regime: int, events_out: Optional[str],
                quotes: Optional[dict], chunk: int = 1 << 16) -> dict:
    """A task: re-match each stock of one group in its own book (against its
    quote file, when ``quotes`` names one), as a single-process
    ``rematch(path, symbol=...)`` does; per-stock summaries back, events (if
    asked) written as ``events_out/SYMBOL.parquet``."""
    t0 = time.perf_counter()
    records = np.memmap(records_file, dtype=FEED_DTYPE, mode="r") if os.path.getsize(records_file) else \
        np.zeros(0, dtype=FEED_DTYPE)
    stats: dict[str, int] = {}
    events: dict[str, int] = {}
    per_stock = {}
    for symbol, mine in _by_stock(records, stocks):
        q = read_quotes(quotes[symbol]) if quotes and quotes.get(symbol) else None
        out = str(Path(events_out) / f"{safe_symbol(symbol)}.parquet") if events_out else None
        run = rematch_stock((mine[i:i + chunk] for i in range(0, len(mine), chunk)), q,
                            tick_regime=TickRegime(tick_regime), events_out=out)
        per_stock[symbol] = {**stock_summary(run.book), "stats": run.stats, "events": run.events}
        for k, v in run.stats.items():
            stats[k] = stats.get(k, 0) + int(v)
        for k, v in run.events.items():
            if k != "codes":
                events[k] = events.get(k, 0) + int(v)
    return {"stats": stats, "events": events, "stocks": per_stock, "messages": len(records),
            "seconds": time.perf_counter() - t0, "worker": worker_name()}


def lobster_group(records_file: str, index_file: str, stocks: dict, out_dir: str, day: str, levels: int,
                  tick_regime: int, chunk: int = 1 << 16) -> dict:
    """A task: LOBSTER message and orderbook files for each stock of one
    group, written into ``out_dir`` as ``write_lobster`` writes them."""
    t0 = time.perf_counter()
    records = np.memmap(records_file, dtype=FEED_DTYPE, mode="r") if os.path.getsize(records_file) else \
        np.zeros(0, dtype=FEED_DTYPE)
    written = write_lobster_records((records[i:i + chunk] for i in range(0, len(records), chunk)), lambda: stocks,
                                    Path(out_dir), day, None, levels, TickRegime(tick_regime), label=records_file)
    files = {sym: (str(m), str(b), rows) for sym, (m, b, rows) in written.files.items()}
    return {"stats": {"messages": len(records), "lobster_rows": sum(r for *_, r in files.values()),
                      "lobster_skipped": written.skipped},
            "stocks": {}, "lobster_files": files, "messages": len(records), "seconds": time.perf_counter() - t0,
            "worker": worker_name()}


def replay_file(path: str, tick_regime: int) -> dict:
    """A task: one LOBSTER or DBN file replayed whole."""
    from engine.replay.build import replay

    t0 = time.perf_counter()
    r = replay(path, tick_regime=TickRegime(tick_regime), threads=False)
    per_stock = {}
    if r.file_format == "lobster":
        per_stock[lobster_symbol(path)] = stock_summary(r.book())
    else:
        for sym, *_rest in r.stocks.values():
            book = r.book(sym)
            if book is not None:
                per_stock[sym] = stock_summary(book)
    return {"stats": r.stats, "stocks": per_stock, "messages": r.messages, "seconds": time.perf_counter() - t0,
            "worker": worker_name()}


def match_file(path: str, tick_regime: int, events_out: Optional[str], quotes: Optional[dict]) -> dict:
    """A task: one LOBSTER file re-matched whole (its stock's quote file, if named)."""
    t0 = time.perf_counter()
    symbol = lobster_symbol(path)
    q = quotes.get(symbol) if quotes else None
    out = str(Path(events_out) / f"{safe_symbol(symbol)}.parquet") if events_out else None
    r = rematch(path, q, tick_regime=TickRegime(tick_regime), events_out=out)
    summary = {**stock_summary(r.book), "stats": r.stats, "events": r.events}
    return {"stats": r.stats, "events": {k: v for k, v in r.events.items() if k != "codes"},
            "messages": r.stats.get("messages", 0), "stocks": {symbol: summary}, "seconds": time.perf_counter() - t0,
            "worker": worker_name()}


def worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


# --------------------------------------------------------------- running it
@dataclass
class ParallelResult:
    """What a parallel replay did: the counters summed over the tasks, a
    summary per stock, and the time and throughput of each worker."""

    paths: list[str]
    seconds: float
    split_seconds: float
    stats: dict
    stocks: dict  # symbol -> {"orders", "top", "digest"}
    workers: dict  # worker -> {"tasks", "messages", "seconds"}
    tasks: int
    book_out: Optional[str] = None
    notes: list = field(default_factory=list)
    startup_seconds: float = 0.0  #: starting (or reaching) the cluster, before the replay's time
    mode: str = "build"  #: or "match": re-matched through the engine
    events: dict = field(default_factory=dict)  #: match mode: the engine's event counts, summed
    lobster_files: dict = field(default_factory=dict)  #: symbol -> (message file, orderbook file, rows)

    @property
    def messages(self) -> int:
        return int(self.stats.get("messages", 0))

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else float("inf")

    def summary(self) -> str:
        s = self.stats
        lines = [
            f"{', '.join(self.paths)}: {self.messages:,} messages in {self.seconds:.3f} s"
            f" = {self.messages_per_second / 1e6:.2f} M messages/s on {len(self.workers)} workers,"
            f" {self.tasks} tasks (splitting took {self.split_seconds:.3f} s of it; starting the cluster"
            f" {self.startup_seconds:.1f} s more)",
        ]
        if self.mode == "match":
            e = self.events
            lines += [f"  re-matched {len(self.stocks)} stocks; history: {s.get('history_executions', 0):,} executions"
                      f" for {s.get('history_shares', 0):,} shares",
                      f"  engine: {e.get('fills', 0):,} fills for {e.get('fill_shares', 0):,} shares;"
                      f" {s.get('inferred_takers', 0):,} inferred incoming orders, {e.get('unfilled_shares', 0):,}"
                      f" of their shares not filled; blocked {e.get('blocked', 0):,}, rejects {e.get('rejects', 0):,}"]
        elif self.lobster_files:
            lines.append(f"  LOBSTER files for {len(self.lobster_files)} stocks, {s.get('lobster_rows', 0):,} rows,"
                         f" written by the workers into {Path(next(iter(self.lobster_files.values()))[0]).parent}")
        else:
            lines.append(f"  books: {len(self.stocks)}; orders added {s.get('adds', 0):,}, cancels"
                         f" {s.get('cancels', 0):,}, deletes {s.get('deletes', 0):,}, replaces {s.get('replaces', 0):,}")
        for worker, w in sorted(self.workers.items()):
            rate = w["messages"] / w["seconds"] / 1e6 if w["seconds"] > 0 else float("inf")
            lines.append(f"  worker {worker}: {w['tasks']} tasks, {w['messages']:,} messages, {rate:.2f} M/s busy")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def dask_client(workers: Workers, scheduler: Any) -> tuple[Any, Any, int]:
    """A Dask client: the caller's, one connected to ``scheduler``, or a
    LocalCluster of ``workers`` single-threaded worker processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ReplayError("running on Dask needs Dask: pip install 'dask[distributed]' (or the distributed extra)") \
            from None
    if scheduler is not None:
        client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
        n = len(client.scheduler_info().get("workers", {})) or 1
        return client, None, n
    if workers == "auto":
        n = os.cpu_count() or 1
    elif isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r} must be a positive int or 'auto'")
    else:
        n = workers
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
    return Client(cluster), cluster, n


@contextmanager
def on_cluster(workers: Workers, scheduler: Any, work_dir: str | Path | None,
               prefix: str) -> Iterator[tuple[Any, int, Path]]:
    """(client, workers, work folder) for a parallel run; afterwards a
    LocalCluster started for it is closed and a temporary folder removed."""
    client, cluster, n = dask_client(workers, scheduler)
    own = work_dir is None
    try:
        folder = Path(tempfile.mkdtemp(prefix=prefix)) if own else Path(work_dir)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            yield client, n, folder
        finally:
            if own:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if cluster is not None:
            client.close()
            cluster.close()


def replay_parallel(paths: str | Path | list, *, workers: Workers = "auto", scheduler: Any = None,
                    symbols: Optional[list[str]] = None, tick_regime: TickRegime = TickRegime.PENNY_2005,
                    book_levels: int = 0, book_out: str | Path | None = None, work_dir: str | Path | None = None,
                    tasks_per_worker: int = 4, progress: bool = False, retries: int = 2, mode: str = "build",
                    events_out: str | Path | None = None, quotes: Optional[dict[str, str | Path]] = None,
                    lobster_out: str | Path | None = None, levels: int = 10,
                    date: Optional[str] = None) -> ParallelResult:
    """Replay files split by stock across Dask workers (see the module):
    ``workers`` for a LocalCluster started for the run (``"auto"``: one per
    core), or ``scheduler`` (an address or a ``distributed.Client``) for a
    running cluster. ``book_levels`` with ``book_out`` (a folder) has each
    worker write its books' states there. ``mode="match"`` re-matches every
    stock through the engine instead (as ``rematch(path, symbol=...)`` does,
    each in its own book), against ``quotes[symbol]`` (a quote file) where
    given, each worker writing its stocks' events as
    ``events_out/SYMBOL.parquet``. ``lobster_out`` (a folder; ITCH files
    only) has the workers write LOBSTER message and orderbook files of
    ``levels`` levels for their stocks instead, named for ``date`` (default:
    from the file's name), as ``write_lobster`` writes them."""
    if mode not in ("build", "match"):
        raise ValueError(f"mode={mode!r}: 'build' or 'match'")
    if mode == "match" and book_levels:
        raise ValueError("book_levels is for build mode (the books as the venue reported them)")
    if mode == "build" and (events_out is not None or quotes):
        raise ValueError("events_out and quotes are for match mode")
    if lobster_out is not None:
        if mode == "match" or book_levels:
            raise ValueError("lobster_out writes LOBSTER files from the messages as reported: not with match mode "
                             "or book_levels")
        check_levels(levels, "levels")
        if date is not None and (len(date) != 10 or not date.replace("-", "").isdigit()):
            raise ValueError(f"date={date!r} must be YYYY-MM-DD")
        Path(lobster_out).mkdir(parents=True, exist_ok=True)
    if events_out is not None:
        Path(events_out).mkdir(parents=True, exist_ok=True)
    quote_paths = {sym: str(p) for sym, p in (quotes or {}).items()} or None
    files = [Path(p) for p in (paths if isinstance(paths, (list, tuple)) else [paths])]
    if book_levels:
        check_levels(book_levels, "book_levels")
        if book_out is None:
            raise ValueError("book_levels in a parallel replay needs book_out, a folder for the workers' files")
        Path(book_out).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    split_seconds = 0.0
    with on_cluster(workers, scheduler, work_dir, "engine-split-") as (client, n, folder):
        t0 = time.perf_counter()  # the replay's time leaves out starting a LocalCluster (startup_seconds)
        futures = []
        for path in files:
            if file_format(path) == "itch":
                (folder / path.name).mkdir(parents=True, exist_ok=True)
                split = split_itch(path, folder / path.name, n * tasks_per_worker, symbols)
                split_seconds += split.seconds
                if lobster_out is not None:
                    day = date or date_from_name(path) or "0000-00-00"
                    futures += [client.submit(lobster_group, str(a), str(b), split.stocks, str(lobster_out), day,
                                              levels, int(tick_regime), pure=False, retries=retries)
                                for a, b in split.groups]
                elif mode == "match":
                    futures += [client.submit(match_group, str(a), str(b), split.stocks, int(tick_regime),
                                              str(events_out) if events_out else None, quote_paths, pure=False,
                                              retries=retries) for a, b in split.groups]
                else:
                    futures += [client.submit(build_group, str(a), str(b), split.stocks, int(tick_regime),
                                              book_levels, str(book_out) if book_out else None, pure=False,
                                              retries=retries) for a, b in split.groups]
            elif lobster_out is not None:
                raise ReplayError(f"{path}: LOBSTER files are made from ITCH files")
            elif mode == "match":
                if file_format(path) != "lobster":
                    raise ReplayError(f"{path}: match mode reads LOBSTER and ITCH files")
                futures.append(client.submit(match_file, str(path), int(tick_regime),
                                             str(events_out) if events_out else None, quote_paths, pure=False,
                                             retries=retries))
            else:
                futures.append(client.submit(replay_file, str(path), int(tick_regime), pure=False, retries=retries))
        results = gather_tasks(futures, progress)
        seconds = time.perf_counter() - t0  # not closing the cluster
    result = _combine(files, results, seconds, split_seconds, book_out)
    result.startup_seconds = t0 - started
    result.mode = mode
    if quotes:
        missing = sorted(set(quotes) - set(result.stocks))
        if missing:
            result.notes.append(f"quotes given for stocks not in the flow: {', '.join(missing[:10])}")
    return result


def gather_tasks(futures: list, progress: bool) -> list[dict]:
    from distributed import as_completed

    bar = Progress(len(futures), "tasks", progress, unit="task")
    try:
        for _ in as_completed(futures):
            bar.update(1)
    finally:
        bar.close()
    return [f.result() for f in futures]  # in submission order: the sums do not depend on who finished first


def _combine(files: list[Path], results: list[dict], seconds: float, split_seconds: float,
             book_out: Any) -> ParallelResult:
    stats: dict[str, int] = {}
    events: dict[str, int] = {}
    lobster: dict[str, tuple] = {}
    stocks: dict[str, dict] = {}
    workers: dict[str, dict] = {}
    for r in results:
        for k, v in r["stats"].items():
            stats[k] = stats.get(k, 0) + int(v)
        for k, v in r.get("events", {}).items():
            events[k] = events.get(k, 0) + int(v)
        stocks.update(r["stocks"])
        lobster.update(r.get("lobster_files", {}))
        w = workers.setdefault(r["worker"], {"tasks": 0, "messages": 0, "seconds": 0.0})
        w["tasks"] += 1
        w["messages"] += r["messages"]
        w["seconds"] += r["seconds"]
    return ParallelResult([str(f) for f in files], seconds, split_seconds, stats, dict(sorted(stocks.items())),
                          workers, len(results), str(book_out) if book_out else None, events=events,
                          lobster_files=dict(sorted(lobster.items())))


__all__ = ["ParallelResult", "Split", "build_group", "dask_client", "gather_tasks", "lobster_group", "match_file",
           "match_group", "on_cluster", "orders_digest", "replay_parallel", "split_itch", "stock_summary",
           "worker_name"]
