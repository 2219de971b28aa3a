"""``bench``: latency percentiles per operation, measured inside the core (engine.bench)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.bench import plot, run_bench
from engine.flow import PROFILES


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="latency percentiles per operation, measured inside the core")
    p.add_argument("--operations", type=int, default=200_000, help="operations in the mixed flow (default 200,000)")
    p.add_argument("--quote-share", type=float, default=0.2, help="share of quote updates (default 0.2)")
    p.add_argument("--venues", type=int, default=4, help="away venues quoting (default 4)")
    p.add_argument("--profile", choices=sorted(PROFILES), default="ten_dollars", help="flow profile")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--no-check", action="store_true", help="a plain book: no quotes, no trade-through check")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--plot", type=Path, metavar="FILE.png", help="draw the latency distribution (matplotlib)")


def run(args: argparse.Namespace) -> int:
    try:
        result = run_bench(args.operations, args.seed, args.profile, args.quote_share, args.venues,
                           check=not args.no_check, keep_samples=args.plot is not None)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.to_json() if args.json else result.report())
    if args.plot is not None:
        plot(result, str(args.plot))
        if not args.json:
            print(f"plot written to {args.plot}")
    return 0
