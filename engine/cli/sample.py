"""``sample``: sample files to replay, made here (there are no public ones to
ship): generated Nasdaq ITCH 5.0 flow, and the same flow as a Databento DBN
file of MBO records when databento-dbn is installed."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from engine._core import generate_itch
from engine.replay import ReplayError

DAY = dt.date(2019, 1, 30)  # the day the sample files are named for


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="write sample ITCH (and DBN) files to replay")
    p.add_argument("folder", type=Path, nargs="?", default=Path("samples"), help="where (default: samples/)")
    p.add_argument("--messages", type=int, default=200_000, metavar="N", help="ITCH order messages (default 200,000)")
    p.add_argument("--stocks", type=int, default=4, metavar="K", help="stocks (default 4)")
    p.add_argument("--seed", type=int, default=1)


def run(args: argparse.Namespace) -> int:
    if args.messages < 1 or not 1 <= args.stocks <= 1_000:
        print("error: --messages must be at least 1 and --stocks between 1 and 1000", file=sys.stderr)
        return 1
    try:
        args.folder.mkdir(parents=True, exist_ok=True)
        itch = args.folder / f"{DAY:%Y%m%d}.itch"
        itch.write_bytes(generate_itch(args.messages, args.stocks, args.seed))
    except OSError as exc:
        print(f"error: {args.folder}: cannot write ({exc.strerror})", file=sys.stderr)
        return 1
    print(f"{itch}: generated ITCH 5.0, {args.messages:,} order messages for {args.stocks} stocks")
    try:
        from engine.replay.dbn_out import itch_to_dbn

        dbn = args.folder / f"{DAY:%Y%m%d}.mbo.dbn"
        records = itch_to_dbn(itch, dbn, DAY)
        print(f"{dbn}: the same flow as Databento DBN, {records:,} MBO records")
    except ReplayError as exc:  # databento-dbn not installed, or the folder not writable
        print(f"  (no DBN sample: {exc})")
    return 0
