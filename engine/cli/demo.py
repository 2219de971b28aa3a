"""``demo``: generate order flow, match it in one book, report (engine.demo)."""
from __future__ import annotations

import argparse
import sys

from engine.demo import run_demo
from engine.flow import PROFILES


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="generate order flow, match it in one book, report")
    p.add_argument("--messages", type=int, default=200_000, help="messages to generate (default 200,000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--profile", choices=sorted(PROFILES), default="ten_dollars",
                   help="flow profile: ten_dollars, one_dollar (both sides of $1.00), half_penny")
    p.add_argument("--show-events", type=int, default=12, help="how many events to print (default 12)")


def run(args: argparse.Namespace) -> int:
    if args.messages < 0:
        print("--messages must not be negative", file=sys.stderr)
        return 2
    run_demo(messages=args.messages, seed=args.seed, profile=args.profile, show_events=args.show_events)
    return 0
