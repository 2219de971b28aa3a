"""Command line: ``python -m engine [demo|bench|replay|sample|surveil] [options]`` (also installed
as ``regnms-engine``).

With no command it runs the built-in tour: generated ITCH flow replayed into
books, then generated orders matched by one book.

The application layer: each command is one module here (``demo.py``,
``bench.py``, ``replay.py``, ``sample.py``, ``surveil.py``) with an ``add_parser`` and a ``run``; the library
they drive (``engine``, ``engine.replay``) never imports from here.
"""
from __future__ import annotations

import argparse
import os
import sys

from engine.cli import bench, demo, replay, sample, surveil

COMMANDS = {"demo": demo, "bench": bench, "replay": replay, "sample": sample, "surveil": surveil}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    for name, command in COMMANDS.items():
        command.add_parser(sub, name)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        # the tour: replay generated ITCH, then the matching demo on its defaults
        status = replay.run(parser.parse_args(["replay"]))
        print()
        return demo.run(parser.parse_args(["demo"])) or status
    return COMMANDS[args.command].run(args)


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


__all__ = ["COMMANDS", "build_parser", "main", "run"]
