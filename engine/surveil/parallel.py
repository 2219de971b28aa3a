"""Surveillance beyond one core and one machine, on Dask (the ``distributed``
extra): the tape and its quotes split by (symbol, day) (engine.surveil.split),
each piece audited by a worker, the pieces put back in the tape's order, so
the report equals a single-process one whatever the number of workers; the
sub-penny estimate is made from the whole tape, in the client. The work
folder must be on a path every worker sees (local disk on one machine; shared
storage on a cluster).

A worker that dies mid-task has its task rerun (Dask reschedules a lost
worker's tasks; ``retries`` covers a task that raises).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterable, Optional

from engine.replay.parallel import Workers, gather_tasks, on_cluster, worker_shares
from engine.surveil import split as pieces
from engine.surveil.audit import SelfHelp
from engine.surveil.report import SurveilReport
from engine.surveil.subpenny import subpenny_cost


def surveil_parallel(trades: str | Path, quotes: str | Path | None = None, *, date: Optional[str] = None,
                     symbol: Optional[str] = None, self_help: Iterable[SelfHelp] = (), workers: Workers = "auto",
                     scheduler: Any = None, work_dir: str | Path | None = None, progress: bool = False,
                     retries: int = 2) -> SurveilReport:
    """The audit and the sub-penny estimate of :func:`engine.surveil.report.surveil`,
    split by (symbol, day) across Dask workers (see the module): ``workers``
    for a LocalCluster started for the run (``"auto"``: one per core), or
    ``scheduler`` (an address or a ``distributed.Client``). The report
    equals the single-process one; ``report.notes`` adds the workers' share."""
    declared = [(d.venue, d.start, d.end, d.day) for d in self_help]
    with on_cluster(workers, scheduler, work_dir, "engine-surveil-") as (client, _, folder):
        t0 = time.perf_counter()
        split = pieces.split_taq(trades, quotes, folder / "pieces", date=date, symbol=symbol)
        several = len({p["symbol"] for p in split.pieces}) > 1
        futures = [client.submit(pieces.audit_piece, p, str(trades), str(quotes) if quotes else None, declared, several,
                                 quotes is not None, pure=False, retries=retries) for p in split.pieces]
        results = gather_tasks(futures, progress)
        seconds = time.perf_counter() - t0
    tape = pieces.merge_tape(str(trades), results, split)
    report = SurveilReport(tape, subpenny_cost(tape))
    if quotes is not None:
        report.audit = pieces.merge_audit(tape, results)
    busy = worker_shares(results, "rows")
    report.notes.append(f"on Dask: {len(results)} pieces (symbol, day) on {len(busy)} workers in "
                        f"{seconds:.2f} s, splitting {split.seconds:.2f} s of it; " + "; ".join(
                            f"{name}: {w['tasks']} pieces, {w['rows']:,} trades,"
                            f" {w['rows'] / w['seconds'] if w['seconds'] > 0 else 0:,.0f} trades/s busy"
                            for name, w in sorted(busy.items())))
    return report


__all__ = ["surveil_parallel"]
