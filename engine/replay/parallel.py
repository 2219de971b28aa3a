"""Replay beyond one core and one machine, on Dask (the ``distributed`` extra).

Books are independent per stock, so the work splits by stock:

* an ITCH file is split first, in this process, in one pass, into group
  files of whole stocks in a work folder (engine.replay.itch_split). Workers
  read only their group's file, so the work folder must be a path every
  worker can see (local disk on one machine; shared storage on a cluster:
  pass ``work_dir``);
* LOBSTER and DBN files are one task each.

Each task (engine.replay.tasks) does one of three things with its group's
stocks, each stock in a book of its own, and returns a summary per stock
(orders, top of book, a digest of the resting orders in priority order) and
its counters:

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

import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional, Union

from engine.enums import TickRegime
from engine.replay.files import ReplayError, file_format
from engine.replay.itch_split import Split, split_itch
from engine.replay.lobster_out import date_from_name
from engine.replay.progress import Progress
from engine.replay.states import check_levels
from engine.replay.tasks import (
    build_group,
    lobster_group,
    match_file,
    match_group,
    orders_digest,
    replay_file,
    stock_summary,
    worker_name,
)

Workers = Union[int, str, None]


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


def worker_shares(results: list[dict], amount: str) -> dict[str, dict]:
    """Each worker's share of the tasks: {"tasks", ``amount`` (summed), "seconds" busy}."""
    workers: dict[str, dict] = {}
    for r in results:
        w = workers.setdefault(r["worker"], {"tasks": 0, amount: 0, "seconds": 0.0})
        w["tasks"] += 1
        w[amount] += r[amount]
        w["seconds"] += r["seconds"]
    return workers


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
    for r in results:
        for k, v in r["stats"].items():
            stats[k] = stats.get(k, 0) + int(v)
        for k, v in r.get("events", {}).items():
            events[k] = events.get(k, 0) + int(v)
        stocks.update(r["stocks"])
        lobster.update(r.get("lobster_files", {}))
    return ParallelResult([str(f) for f in files], seconds, split_seconds, stats, dict(sorted(stocks.items())),
                          worker_shares(results, "messages"), len(results), str(book_out) if book_out else None,
                          events=events, lobster_files=dict(sorted(lobster.items())))


__all__ = ["ParallelResult", "Split", "build_group", "dask_client", "gather_tasks", "lobster_group", "match_file",
           "match_group", "on_cluster", "orders_digest", "replay_parallel", "split_itch", "stock_summary", "worker_name",
           "worker_shares"]
