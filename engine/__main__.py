"""``python -m engine``: the command line (engine.cli)."""
import sys

from engine.cli import build_parser, main, run

__all__ = ["build_parser", "main", "run"]

if __name__ == "__main__":
    sys.exit(run())
