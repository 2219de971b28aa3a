"""``bench``: latency percentiles per operation, measured inside the core (engine.bench)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.bench import plot, plot_open_loop, run_bench, run_open_loop
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
    p.add_argument("--open-loop", metavar="RATES", type=_rates,
                   help="offer the flow at these rates, million operations per second, comma-separated (say"
                        " 0.5,1,2): latency from each operation's offered time, queueing included")
    p.add_argument("--plot", type=Path, metavar="FILE.png",
                   help="draw the latency distribution, or latency against offered load (matplotlib)")


def _rates(text: str) -> tuple[float, ...]:
    try:
        rates = tuple(float(x) * 1e6 for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers") from None
    if not rates or any(not 1e-6 <= r / 1e6 <= 1e4 for r in rates):
        raise argparse.ArgumentTypeError(f"{text!r}: each rate must be between 0.000001 and 10000 million/s")
    return rates


def run(args: argparse.Namespace) -> int:
    common = (args.operations, args.seed, args.profile, args.quote_share, args.venues)
    try:
        if args.open_loop:
            result = run_open_loop(args.open_loop, *common, check=not args.no_check)
        else:
            result = run_bench(*common, check=not args.no_check, keep_samples=args.plot is not None)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.to_json() if args.json else result.report())
    if args.plot is not None:
        (plot_open_loop if args.open_loop else plot)(result, str(args.plot))
        if not args.json:
            print(f"plot written to {args.plot}")
    return 0
