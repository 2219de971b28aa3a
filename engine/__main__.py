"""Command line: ``python -m engine [demo] [options]`` (also installed as ``regnms-engine``)."""
from __future__ import annotations

import argparse
import sys

from engine.flow import PROFILES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="generate order flow, run it through a book, report (the default)")
    for p in (parser, demo):
        p.add_argument("--messages", type=int, default=200_000, help="messages to generate (default 200,000)")
        p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
        p.add_argument("--profile", choices=sorted(PROFILES), default="ten_dollars",
                       help="flow profile: ten_dollars, one_dollar (both sides of $1.00), half_penny")
        p.add_argument("--show-events", type=int, default=12, help="how many events to print (default 12)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.messages < 0:
        print("--messages must not be negative", file=sys.stderr)
        return 2
    from engine.demo import run_demo

    run_demo(messages=args.messages, seed=args.seed, profile=args.profile, show_events=args.show_events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
