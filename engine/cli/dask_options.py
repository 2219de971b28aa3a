"""The options every command that can run on Dask shares (replay, surveil):
--workers, --scheduler, --work-dir and the progress bar."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_dask_options(p: argparse.ArgumentParser, what: str, split: str) -> None:
    """``what``: the verb ("replay"); ``split``: how the work is split and where."""
    p.add_argument("--workers", metavar="N", help=f"{what} on Dask: a LocalCluster of N worker processes "
                   f"('auto': one per core), the work split {split} (needs the distributed extra)")
    p.add_argument("--scheduler", metavar="ADDRESS", help=f"{what} on a running Dask cluster (tcp://host:8786); "
                   "the files and --work-dir must be on a path every worker sees")
    p.add_argument("--work-dir", type=Path, metavar="DIR", help="with --workers/--scheduler: where the input is "
                   "split (default: a temporary folder, removed afterwards)")
    p.add_argument("--progress", dest="progress", action="store_true", default=None, help="show a progress bar")
    p.add_argument("--no-progress", dest="progress", action="store_false")


def on_dask(args: argparse.Namespace) -> bool:
    return args.workers is not None or args.scheduler is not None


def workers_of(args: argparse.Namespace) -> int | str:
    """--workers as a count or 'auto' (ValueError naming the option otherwise)."""
    if args.workers is None or args.workers == "auto":
        return "auto"
    if not args.workers.isdigit() or int(args.workers) < 1:
        raise ValueError(f"--workers {args.workers}: a positive number or 'auto'")
    return int(args.workers)


def progress_of(args: argparse.Namespace) -> bool:
    return sys.stderr.isatty() if args.progress is None else args.progress


__all__ = ["add_dask_options", "on_dask", "progress_of", "workers_of"]
