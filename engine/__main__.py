"""Command line: ``python -m engine [demo|replay] [options]`` (also installed as ``regnms-engine``).

With no command it runs the built-in tour: generated ITCH flow replayed into
books, then generated orders matched by one book.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from engine.flow import PROFILES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="generate order flow, match it in one book, report")
    demo.add_argument("--messages", type=int, default=200_000, help="messages to generate (default 200,000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument("--profile", choices=sorted(PROFILES), default="ten_dollars",
                      help="flow profile: ten_dollars, one_dollar (both sides of $1.00), half_penny")
    demo.add_argument("--show-events", type=int, default=12, help="how many events to print (default 12)")

    bench = sub.add_parser("bench", help="latency percentiles per operation, measured inside the core")
    bench.add_argument("--operations", type=int, default=200_000, help="operations in the mixed flow (default 200,000)")
    bench.add_argument("--quote-share", type=float, default=0.2, help="share of quote updates (default 0.2)")
    bench.add_argument("--venues", type=int, default=4, help="away venues quoting (default 4)")
    bench.add_argument("--profile", choices=sorted(PROFILES), default="ten_dollars", help="flow profile")
    bench.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    bench.add_argument("--no-check", action="store_true", help="a plain book: no quotes, no trade-through check")
    bench.add_argument("--json", action="store_true", help="print the result as JSON")
    bench.add_argument("--plot", type=Path, metavar="FILE.png", help="draw the latency distribution (matplotlib)")

    rp = sub.add_parser("replay", help="replay LOBSTER or Nasdaq ITCH 5.0 files (plain, .gz or .zip)")
    rp.add_argument("paths", nargs="*", type=Path,
                    help="message files; none: generate ITCH flow and replay that")
    rp.add_argument("--mode", choices=["build", "match"], default="build",
                    help="build: apply the messages as the venue reported them (default); "
                         "match: send the orders through the engine's own matching")
    rp.add_argument("--orderbook", type=Path, help="LOBSTER orderbook file to check the book against "
                    "(default: the one LOBSTER names beside the message file, if present)")
    rp.add_argument("--no-check", action="store_true", help="do not look for a LOBSTER orderbook file")
    rp.add_argument("--quotes", type=Path, help="away venues' quotes (TAQ or ts,venue,bid,bid_size,ask,ask_size,"
                    "condition[,feed]) for the trade-through check in match mode")
    rp.add_argument("--quote-feed", choices=["CQS", "UQDF"], type=str.upper,
                    help="the feed of the quote file's condition codes, when it has no feed column")
    rp.add_argument("--symbols", help="ITCH: comma-separated symbols to build (default: all)")
    rp.add_argument("--events-out", type=Path, help="match mode: write every event to .csv or .parquet")
    rp.add_argument("--generate", type=int, default=2_000_000, metavar="N",
                    help="with no paths: order messages of generated ITCH (default 2,000,000)")
    rp.add_argument("--progress", dest="progress", action="store_true", default=None, help="show a progress bar")
    rp.add_argument("--no-progress", dest="progress", action="store_false")
    return parser


def run_replay(args: argparse.Namespace) -> int:
    if args.paths:
        return _replay_paths(args, list(args.paths))
    from engine._core import generate_itch

    with tempfile.TemporaryDirectory(prefix="engine-replay-") as folder:  # removed afterwards: tens of MB
        generated = Path(folder) / "generated.itch"
        print(f"Generating {args.generate:,} ITCH 5.0 order messages for 8 stocks into a temporary file ...")
        generated.write_bytes(generate_itch(args.generate, 8, 1))
        return _replay_paths(args, [generated])


def _replay_paths(args: argparse.Namespace, paths: list[Path]) -> int:
    from engine.replay import ReplayError, lobster_orderbook_for, rematch, replay

    missing = [p for p in paths + [args.orderbook, args.quotes] if p is not None and not p.exists()]
    if missing:
        print(f"error: {missing[0]}: no such file", file=sys.stderr)
        return 1
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    symbols = [s.strip() for s in args.symbols.split(",")] if args.symbols else None
    try:
        for path in paths:
            if args.mode == "match":
                matched = rematch(path, args.quotes, symbol=symbols[0] if symbols else None, progress=progress,
                                  events_out=args.events_out, quote_feed=args.quote_feed)
                print(matched.summary())
                continue
            orderbook = None if args.no_check else (args.orderbook or lobster_orderbook_for(path))
            result = replay(path, orderbook=orderbook, symbols=symbols, progress=progress)
            print(result.summary())
            if result.file_format == "itch" and result.stocks:
                books = [(result.stocks[loc][0], result.builder.book(loc)) for loc in sorted(result.stocks)]
                for sym, book in [(sym, b) for sym, b in books if b is not None][:5]:
                    print(f"  {sym:<8} {len(book):>7,} orders  top {book.top()}")
            elif result.file_format == "lobster" and (final := result.book()) is not None:
                print(f"  final book: {len(final):,} orders, top {final.top()}")
    except (ReplayError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def run_bench_command(args: argparse.Namespace) -> int:
    from engine.bench import plot, run_bench

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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "replay":
        return run_replay(args)
    if args.command == "bench":
        return run_bench_command(args)
    from engine.demo import run_demo

    if args.command == "demo":
        if args.messages < 0:
            print("--messages must not be negative", file=sys.stderr)
            return 2
        run_demo(messages=args.messages, seed=args.seed, profile=args.profile, show_events=args.show_events)
        return 0
    # the tour: replay generated ITCH, then the matching demo
    status = run_replay(build_parser().parse_args(["replay"]))
    print()
    run_demo()
    return status


def run() -> int:
    """main(), stopping quietly when the reader of our output goes away (``| head``)."""
    try:
        status = main()
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # Python's recommended handling: point stdout at devnull so the final
        # flush at exit does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(run())
