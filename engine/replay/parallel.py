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

Each task builds its books with the same C++ ``BookBuilder`` and returns a
summary per stock (orders, top of book, a digest of the resting orders in
priority order) and its counters; book states, when asked, are written by the
worker into ``book_out`` (a folder: one file per group). Within a book the
messages keep their file order, so every stock's book, states and counts equal
a single-process run's whatever the number of workers.

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
from engine.replay.decode import iter_itch
from engine.replay.files import ReplayError, file_format, lobster_symbol
from engine.replay.progress import Progress
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
    groups = max(int(groups), 1)
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
            group = np.where(keep[locates], locates % groups, -1)
            for k, (records, index) in enumerate(handles):
                mine = group == k
                if mine.any():
                    records.write(batch[mine].tobytes())
                    index.write(numbers[mine].tobytes())
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
            f"  books: {len(self.stocks)}; orders added {s.get('adds', 0):,}, cancels {s.get('cancels', 0):,},"
            f" deletes {s.get('deletes', 0):,}, replaces {s.get('replaces', 0):,}",
        ]
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
                    tasks_per_worker: int = 4, progress: bool = False, retries: int = 2) -> ParallelResult:
    """Replay files split by stock across Dask workers (see the module):
    ``workers`` for a LocalCluster started for the run (``"auto"``: one per
    core), or ``scheduler`` (an address or a ``distributed.Client``) for a
    running cluster. ``book_levels`` with ``book_out`` (a folder) has each
    worker write its books' states there."""
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
                futures += [client.submit(build_group, str(a), str(b), split.stocks, int(tick_regime), book_levels,
                                          str(book_out) if book_out else None, pure=False, retries=retries)
                            for a, b in split.groups]
            else:
                futures.append(client.submit(replay_file, str(path), int(tick_regime), pure=False, retries=retries))
        results = gather_tasks(futures, progress)
        seconds = time.perf_counter() - t0  # not closing the cluster
    result = _combine(files, results, seconds, split_seconds, book_out)
    result.startup_seconds = t0 - started
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
    stocks: dict[str, dict] = {}
    workers: dict[str, dict] = {}
    for r in results:
        for k, v in r["stats"].items():
            stats[k] = stats.get(k, 0) + int(v)
        stocks.update(r["stocks"])
        w = workers.setdefault(r["worker"], {"tasks": 0, "messages": 0, "seconds": 0.0})
        w["tasks"] += 1
        w["messages"] += r["messages"]
        w["seconds"] += r["seconds"]
    return ParallelResult([str(f) for f in files], seconds, split_seconds, stats, dict(sorted(stocks.items())),
                          workers, len(results), str(book_out) if book_out else None)


__all__ = ["ParallelResult", "Split", "build_group", "dask_client", "gather_tasks", "on_cluster", "orders_digest",
           "replay_parallel", "split_itch", "stock_summary", "worker_name"]
