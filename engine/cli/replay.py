"""``replay``: LOBSTER or Nasdaq ITCH 5.0 files built into books (checked against
LOBSTER's orderbook files) or re-matched through the engine (engine.replay)."""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from engine._core import generate_itch
from engine.cli.dask_options import add_dask_options, on_dask, progress_of, workers_of
from engine.replay import (
    ReplayError,
    file_format,
    lobster_levels,
    lobster_orderbook_for,
    rematch,
    rematch_stocks,
    replay,
    replay_parallel,
    write_lobster,
)


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="replay LOBSTER, Nasdaq ITCH 5.0 or Databento DBN (MBO) files "
                       "(plain, .gz, .xz, .bz2, .zst or .zip)")
    p.add_argument("paths", nargs="*", type=Path,
                   help="message files; none: generate ITCH flow and replay that")
    p.add_argument("--mode", choices=["build", "match"], default="build",
                   help="build: apply the messages as the venue reported them (default); "
                        "match: send the orders through the engine's own matching")
    p.add_argument("--orderbook", type=Path, help="LOBSTER orderbook file to check the book against "
                   "(default: the one LOBSTER names beside the message file, if present)")
    p.add_argument("--no-check", action="store_true", help="do not look for a LOBSTER orderbook file")
    p.add_argument("--quotes", type=Path, help="away venues' quotes (TAQ or ts,venue,bid,bid_size,ask,ask_size,"
                   "condition[,feed]) for the trade-through check in match mode (on workers: a folder of "
                   "files named by symbol, SYMBOL.csv[.gz], or one file with --symbols naming its stock)")
    p.add_argument("--quote-feed", choices=["CQS", "UQDF"], type=str.upper,
                   help="the feed of the quote file's condition codes, when it has no feed column")
    p.add_argument("--symbols", help="ITCH, DBN: comma-separated symbols to build (default: all)")
    p.add_argument("--events-out", type=Path, help="match mode: write every event to .csv or .parquet (on workers: "
                   "a folder, each stock's events in SYMBOL.parquet)")
    p.add_argument("--book-out", type=Path, help="build mode: write the book after every message to .csv or "
                   ".parquet (LOBSTER's orderbook layout, led by message number, time, locate, symbol and code)")
    p.add_argument("--levels", type=int, default=None, metavar="N",
                   help="levels a side in --book-out and --lobster-out (default: a LOBSTER file's own level "
                        "count, else 10)")
    p.add_argument("--lobster-out", type=Path, metavar="DIR",
                   help="ITCH: write LOBSTER message and orderbook files for each stock (--symbols) into DIR")
    p.add_argument("--date", help="the trading day, YYYY-MM-DD: for --lobster-out's file names (default: from "
                   "the ITCH file's name); in match mode, the day to take from a TAQ quote file of several")
    p.add_argument("--generate", type=int, default=2_000_000, metavar="N",
                   help="with no paths: order messages of generated ITCH (default 2,000,000)")
    add_dask_options(p, "replay", "by stock (an ITCH file split in --work-dir)")


def run(args: argparse.Namespace) -> int:
    if args.paths:
        return _replay_paths(args, list(args.paths))
    with tempfile.TemporaryDirectory(prefix="engine-replay-") as folder:  # removed afterwards: tens of MB
        generated = Path(folder) / "generated.itch"
        print(f"Generating {args.generate:,} ITCH 5.0 order messages for 8 stocks into a temporary file ...")
        generated.write_bytes(generate_itch(args.generate, 8, 1))
        return _replay_paths(args, [generated])


def _replay_paths(args: argparse.Namespace, paths: list[Path]) -> int:
    if args.book_out is not None and args.mode == "match":
        print("error: --book-out is for build mode (the books as the venue reported them)", file=sys.stderr)
        return 1
    if args.levels is not None and args.levels < 1:
        print(f"error: --levels {args.levels}: must be at least 1", file=sys.stderr)
        return 1
    missing = [p for p in paths + [args.orderbook, args.quotes] if p is not None and not p.exists()]
    if missing:
        print(f"error: {missing[0]}: no such file", file=sys.stderr)
        return 1
    progress = progress_of(args)
    symbols = [s.strip() for s in args.symbols.split(",")] if args.symbols else None
    if on_dask(args):
        return _replay_parallel(args, paths, symbols, progress)
    try:
        for path in paths:
            if args.lobster_out is not None:
                if file_format(path) != "itch":
                    raise ReplayError(f"{path}: --lobster-out makes LOBSTER files from ITCH files")
                written = write_lobster(path, args.lobster_out, symbols=symbols, levels=args.levels or 10,
                                        date=args.date, progress=progress)
                print(written.summary())
                continue
            if args.mode == "match" and _every_stock(path, args, symbols):
                t0 = time.perf_counter()
                runs = rematch_stocks(path, symbols=symbols, progress=progress, events_out=args.events_out,
                                      quotes=_quotes_by_symbol(args.quotes, symbols) if args.quotes else None)
                print(_stocks_summary(path, runs, time.perf_counter() - t0, args.events_out))
                continue
            if args.mode == "match":
                matched = rematch(path, args.quotes, symbol=symbols[0] if symbols else None, progress=progress,
                                  events_out=args.events_out, quote_feed=args.quote_feed,
                                  quote_date=args.date)
                print(matched.summary())
                continue
            orderbook = None if args.no_check else (args.orderbook or lobster_orderbook_for(path))
            states = {}
            if args.book_out is not None:
                out = args.book_out if len(paths) == 1 else args.book_out.with_name(
                    f"{path.name.split('.')[0]}_{args.book_out.name}")  # one file a path
                states = dict(book_levels=args.levels or lobster_levels(path) or 10, book_out=out)
            result = replay(path, orderbook=orderbook, symbols=symbols, progress=progress, **states)
            print(result.summary())
            if result.book_out:
                print(f"  book after every message ({states['book_levels']} levels a side): {result.book_out}")
            if result.file_format in ("itch", "dbn") and result.stocks:
                books = [(result.stocks[loc][0], result.builder.book(loc)) for loc in sorted(result.stocks)]
                for sym, book in [(sym, b) for sym, b in books if b is not None][:5]:
                    print(f"  {sym:<8} {len(book):>7,} orders  top {book.top()}")
            elif result.file_format == "lobster" and (final := result.book()) is not None:
                print(f"  final book: {len(final):,} orders, top {final.top()}")
    except (ReplayError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _replay_parallel(args: argparse.Namespace, paths: list[Path], symbols: list[str] | None, progress: bool) -> int:
    try:
        quotes = _quotes_by_symbol(args.quotes, symbols) if args.quotes is not None else None
        if args.mode == "match" and args.events_out is not None and args.events_out.suffix in (".csv", ".parquet"):
            raise ValueError(f"--events-out {args.events_out}: on workers it is a folder (one file a stock)")
        result = replay_parallel(paths, workers=workers_of(args), scheduler=args.scheduler, symbols=symbols,
                                 book_levels=(args.levels or 10) if args.book_out else 0, book_out=args.book_out,
                                 work_dir=args.work_dir, progress=progress, mode=args.mode,
                                 events_out=args.events_out, quotes=quotes, lobster_out=args.lobster_out,
                                 levels=args.levels or 10, date=args.date)
    except (ReplayError, FileNotFoundError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    for sym, s in list(result.stocks.items())[:5]:
        if result.mode == "match":
            e = s["events"]
            print(f"  {sym:<8} {s['stats']['messages']:>9,} messages  {e['fills']:>7,} fills  blocked {e['blocked']:,}"
                  f"  final book {s['orders']:,} orders, top {s['top']}")
        else:
            print(f"  {sym:<8} {s['orders']:>7,} orders  top {s['top']}")
    if result.book_out:
        print(f"  book after every message: one file per group in {result.book_out}")
    if args.events_out is not None:
        print(f"  events: one Parquet file a stock in {args.events_out}")
    return 0


def _every_stock(path: Path, args: argparse.Namespace, symbols: list[str] | None) -> bool:
    """Match mode on an ITCH file for every stock (or several): each in its
    own book, events into a folder, quotes from a folder (one stock, or a
    single quote or events file: rematch, as before)."""
    return (file_format(path) == "itch" and (not symbols or len(symbols) > 1)
            and (args.quotes is None or args.quotes.is_dir())
            and (args.events_out is None or args.events_out.suffix not in (".csv", ".parquet")))


def _stocks_summary(path: Path, runs: dict, seconds: float, events_out: Path | None) -> str:
    messages = sum(r.stats["messages"] for r in runs.values())
    fills = sum(r.events["fills"] for r in runs.values())
    history = sum(r.stats["history_executions"] for r in runs.values())
    lines = [f"{path}: re-matched {len(runs)} stocks, {messages:,} messages in {seconds:.3f} s"
             f" = {messages / max(seconds, 1e-9) / 1e6:.2f} M messages/s, each stock in its own book",
             f"  history: {history:,} executions; engine: {fills:,} fills,"
             f" blocked {sum(r.events['blocked'] for r in runs.values()):,}"]
    for sym, r in list(runs.items())[:5]:
        lines.append(f"  {sym:<8} {r.stats['messages']:>9,} messages  {r.events['fills']:>7,} fills"
                     f"  final book {len(r.book):,} orders, top {r.book.top()}")
    if events_out is not None:
        lines.append(f"  events: one Parquet file a stock in {events_out}")
    return "\n".join(lines)


def _quotes_by_symbol(quotes: Path, symbols: list[str] | None) -> dict[str, Path]:
    """--quotes on workers: a folder of quote files named by symbol
    (SYMBOL.csv, SYMBOL.csv.gz, ...), or one file for the one stock --symbols names."""
    if quotes.is_dir():
        found = {p.name.split(".")[0]: p for p in sorted(quotes.iterdir()) if p.is_file()}
        if not found:
            raise ValueError(f"--quotes {quotes}: no quote files in the folder (SYMBOL.csv, SYMBOL.csv.gz, ...)")
        return found
    if not symbols or len(symbols) != 1:
        raise ValueError(f"--quotes {quotes}: one file is one stock's quotes: name it with --symbols, or give a "
                         f"folder of files named by symbol")
    return {symbols[0]: quotes}
