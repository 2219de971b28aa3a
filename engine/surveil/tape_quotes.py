"""Which quotes audit which trades: a quote file read for each (day, symbol)
piece of a tape, the same way in one process and on Dask workers."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from engine.replay.quotes import QuoteFile, read_quotes
from engine.surveil.trades import Tape


def piece_quotes(path: str | Path, day: str, symbol: str, one_symbol: bool, name: Optional[str] = None) -> QuoteFile:
    """The quotes for one piece. A tape of one symbol takes the day's quotes
    whole (so quotes under another name, such as a masked symbol, still
    serve, with a note), or its own symbol's where the file holds several;
    a tape of several symbols takes each symbol's."""
    if not one_symbol:
        return read_quotes(path, date=day, symbol=symbol, name=name)
    q = read_quotes(path, date=day, name=name)
    if len(q.symbols) > 1 and symbol in q.symbols:
        q = read_quotes(path, date=day, symbol=symbol, name=name)
    return q


def symbol_note(quoted: Iterable[str], traded: list[str]) -> Optional[str]:
    """A note when the quotes name only other symbols than the trades."""
    quoted = set(quoted)
    if quoted and not quoted & set(traded):
        return f"the quotes are for {', '.join(sorted(quoted))}, the trades for {', '.join(traded)}"
    return None


def tape_quotes(tape: Tape, path: str | Path) -> tuple[dict, list[str]]:
    """:func:`piece_quotes` for every piece of the tape ({(day, symbol):
    QuoteFile}), and notes. Each piece reads the file: for a tape of many
    symbols, engine.surveil.split reads each file once."""
    one = len(tape.symbols) <= 1
    keyed = {(day, sym): piece_quotes(path, day, sym, one) for day, sym in tape.pieces()}
    note = symbol_note((s for q in keyed.values() for s in q.symbols), tape.symbols)
    return keyed, [note] if note else []


__all__ = ["piece_quotes", "symbol_note", "tape_quotes"]
