"""``surveil``: analyses of a trades tape (engine.surveil). Today: the OEA
memo's sub-penny cost estimate (seed 001)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.replay import ReplayError
from engine.surveil import read_trades, subpenny_cost


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="surveil a trades tape (TAQ): the sub-penny cost estimate")
    p.add_argument("trades", type=Path, help="a TAQ trades file (DT_NY,DT,EX,SYMBOL,COND,SIZE,PRICE[,CORR])")
    p.add_argument("--date", help="only this day, YYYY-MM-DD (default: every day in the file)")
    p.add_argument("--symbol", help="only this symbol (default: every one)")


def run(args: argparse.Namespace) -> int:
    try:
        tape = read_trades(args.trades, date=args.date, symbol=args.symbol)
    except (ReplayError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not len(tape):
        print(f"error: {args.trades}: no trades" + (f" on {args.date}" if args.date else "")
              + (f" for {args.symbol}" if args.symbol else ""), file=sys.stderr)
        return 1
    print(f"{args.trades}: {len(tape):,} trades of {', '.join(tape.symbols[:5])} on {', '.join(tape.days)};"
          f" {tape.corrected:,} corrected or cancelled prints dropped; times from DT_NY (New York)")
    print(subpenny_cost(tape).summary())
    return 0
