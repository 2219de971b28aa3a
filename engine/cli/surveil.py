"""``surveil``: analyses of a trades tape (engine.surveil): the trade-through
audit against per-venue quotes (REQ-AUD-02) and the OEA memo's sub-penny cost
estimate (seed 001)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.replay import ReplayError, read_quotes
from engine.surveil import audit_trades, read_trades, subpenny_cost


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="surveil a trades tape (TAQ): trade-through audit, sub-penny cost estimate")
    p.add_argument("trades", type=Path, help="a TAQ trades file (DT_NY,DT,EX,SYMBOL,COND,SIZE,PRICE[,CORR])")
    p.add_argument("quotes", type=Path, nargs="?", help="the same symbol's per-venue quotes (TAQ, or the project's "
                   "own CSV) for the trade-through audit")
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
    if args.quotes is not None:
        try:
            quotes = {day: read_quotes(args.quotes, date=day) for day in tape.days}
        except (ReplayError, FileNotFoundError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        symbols = {s for q in quotes.values() for s in q.symbols}
        result = audit_trades(tape, quotes)
        if symbols and not symbols & set(tape.symbols):
            result.notes.append(f"the quotes are for {', '.join(sorted(symbols))}, the trades for "
                                f"{', '.join(tape.symbols)}")
        print(result.summary())
    print(subpenny_cost(tape).summary())
    return 0
