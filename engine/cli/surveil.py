"""``surveil``: analyses of a trades tape (engine.surveil): the trade-through
audit against per-venue quotes (REQ-AUD-02), the OEA memo's sub-penny cost
estimate (seed 001), Rule 611 on versus off over a flow, and an HTML report
of them all."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from engine.cli.dask_options import add_dask_options, on_dask, progress_of, workers_of
from engine.replay import ReplayError
from engine.surveil import SelfHelp
from engine.surveil.parallel import surveil_parallel
from engine.surveil.report import GENERATED, run_on_off, surveil

UNITS_NS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}


def parse_lags(text: str) -> dict[str, int]:
    """``"5ms,2s"`` -> {"MIRROR5MS": 5_000_000, "MIRROR2S": 2_000_000_000} (a bare number is ms)."""
    lags = {}
    for part in text.split(","):
        part = part.strip().lower()
        unit = next((u for u in ("ns", "us", "ms", "s") if part.endswith(u)), "")
        number = part[: len(part) - len(unit)] if unit else part
        try:
            value = float(number)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--mirror-lags: {part!r} is not a duration like 5ms or 2s") from None
        if value < 0 or value != value:
            raise argparse.ArgumentTypeError(f"--mirror-lags: {part!r} is negative")
        lags[f"MIRROR{part.upper()}"] = int(round(value * UNITS_NS[unit or "ms"]))
    return lags


def _self_help(text: str) -> SelfHelp:
    try:
        return SelfHelp.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="surveil a trades tape (TAQ): trade-through audit, sub-penny cost estimate, "
                       "Rule 611 on versus off, HTML report")
    p.add_argument("trades", type=Path, help="a TAQ trades file (DT_NY,DT,EX,SYMBOL,COND,SIZE,PRICE[,CORR])")
    p.add_argument("quotes", type=Path, nargs="?", help="the same symbol's per-venue quotes (TAQ, or the project's "
                   "own CSV) for the trade-through audit")
    p.add_argument("--date", help="only this day, YYYY-MM-DD (default: every day in the file)")
    p.add_argument("--symbol", help="only this symbol (default: every one)")
    p.add_argument("--self-help", type=_self_help, action="append", default=[], metavar="'VENUE [DAY] FROM-[TO]'",
                   help="a self-help declaration against a venue, e.g. 'P 10:15-10:30' (repeatable)")
    p.add_argument("--report", type=Path, metavar="OUT.html", help="write the report as one self-contained HTML "
                   "file with plots (needs pandas and matplotlib: pip install '.[report]')")
    p.add_argument("--onoff", nargs="?", const=GENERATED, metavar="FLOW",
                   help="also run Rule 611 and 610(e) on versus off over FLOW: a LOBSTER or ITCH file, or "
                        f"'{GENERATED}' (the default) for generated multi-venue flow")
    p.add_argument("--onoff-quotes", type=Path, metavar="FILE", help="away venues' quotes for FLOW (default: "
                   "mirror venues showing FLOW's own top of book late, see --mirror-lags)")
    p.add_argument("--mirror-lags", type=parse_lags, metavar="LAGS", help="the mirror venues' lags, e.g. 5ms,2s "
                   "(default: 5ms,2s; under a second the one-second look-back usually clears them)")
    p.add_argument("--flow-symbol", help="the stock of a multi-stock ITCH FLOW")
    add_dask_options(p, "audit", "by symbol and day (the tape and its quotes split in --work-dir)")


def run(args: argparse.Namespace) -> int:
    for path in (args.trades, args.quotes, args.onoff_quotes,
                 args.onoff if args.onoff not in (None, GENERATED) else None):
        if path is not None and not Path(path).exists():
            print(f"error: {path}: no such file", file=sys.stderr)
            return 1
    t0 = time.perf_counter()
    try:
        if not on_dask(args):
            report = surveil(args.trades, args.quotes, date=args.date, symbol=args.symbol, self_help=args.self_help,
                             onoff=args.onoff, onoff_quotes=args.onoff_quotes, mirror_lags=args.mirror_lags,
                             onoff_symbol=args.flow_symbol)
        else:
            report = surveil_parallel(args.trades, args.quotes, date=args.date, symbol=args.symbol,
                                      self_help=args.self_help, workers=workers_of(args), scheduler=args.scheduler,
                                      work_dir=args.work_dir, progress=progress_of(args))
            if args.onoff is not None:  # one flow: it runs here, beside the split audit
                report.onoff, report.onoff_label = run_on_off(args.onoff, args.onoff_quotes, args.mirror_lags,
                                                              args.flow_symbol)
    except (ReplayError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    tape = report.tape
    if not len(tape):
        print(f"error: {args.trades}: no trades" + (f" on {args.date}" if args.date else "")
              + (f" for {args.symbol}" if args.symbol else ""), file=sys.stderr)
        return 1
    print(f"{args.trades}: {len(tape):,} trades of {', '.join(tape.symbols[:5])} on {', '.join(tape.days)};"
          f" {tape.corrected:,} corrected or cancelled prints dropped; times from DT_NY (New York)")
    print(report.summary())
    if args.report is not None:
        try:
            out = report.write_html(args.report)
        except ImportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            print(f"error: --report {args.report}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"report: {out} ({out.stat().st_size / 1e3:,.0f} kB), in {time.perf_counter() - t0:.2f} s")
    return 0
