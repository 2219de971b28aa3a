"""LOBSTER files made from ITCH: for each stock, a message file and an
orderbook file under LOBSTER's names
(``AAPL_2019-01-30_34200000_57600000_message_10.csv``), written as the ITCH
file is decoded (rows formatted in C++: engine._core.LobsterWriter).

The date comes from ``date=``, else from the ITCH file's name (Nasdaq's
``01302019.NASDAQ_ITCH50``, or ``20190130`` / ``2019-01-30``), else
``0000-00-00``; the start and end are the stock's first and last message
times in milliseconds after midnight. Unlike LOBSTER's own level-L files,
which leave out messages outside the top L levels, every message is written,
so the files replay exactly against their orderbook files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Optional

import numpy as np

from engine._core import ItchDecoder, LobsterWriter
from engine.enums import TickRegime
from engine.replay.decode import by_locate, iter_itch
from engine.replay.files import ReplayError, progress_total
from engine.replay.progress import Progress

MAX_OPEN_STOCKS = 400  # two files each stay open while the ITCH file is read


def date_from_name(path: str | Path) -> Optional[str]:
    """The trading day in an ITCH file's name, as YYYY-MM-DD, if it has one."""
    name = Path(path).name
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", name)
    if m:
        return "-".join(m.groups())
    m = re.search(r"(?<!\d)(\d{8})(?!\d)", name)
    if not m:
        return None
    d = m.group(1)
    if d[:2] in ("19", "20") and 1 <= int(d[4:6]) <= 12 and 1 <= int(d[6:]) <= 31:
        return f"{d[:4]}-{d[4:6]}-{d[6:]}"  # YYYYMMDD
    if 1 <= int(d[:2]) <= 12 and 1 <= int(d[2:4]) <= 31:
        return f"{d[4:]}-{d[:2]}-{d[2:4]}"  # MMDDYYYY, as Nasdaq names its files
    return None


@dataclass
class _Stock:
    symbol: str
    writer: LobsterWriter
    message_tmp: Path
    book_tmp: Path
    message_file: BinaryIO
    book_file: BinaryIO


@dataclass
class LobsterFiles:
    """What :func:`write_lobster` wrote: per symbol, its message file,
    orderbook file and row count."""

    levels: int
    files: dict[str, tuple[Path, Path, int]] = field(default_factory=dict)
    skipped: int = 0  # messages not written (about orders never added, directory, system events)

    def summary(self) -> str:
        lines = [f"LOBSTER files, {self.levels} levels, for {len(self.files)} stocks:"]
        lines += [f"  {sym:<8} {rows:>10,} rows  {msg.name}" for sym, (msg, _, rows) in sorted(self.files.items())]
        return "\n".join(lines)


def write_lobster(path: str | Path, out_dir: str | Path, symbols: Optional[list[str]] = None, levels: int = 10,
                  date: Optional[str] = None, progress: bool = False,
                  tick_regime: TickRegime = TickRegime.PENNY_2005) -> LobsterFiles:
    """Write LOBSTER message and orderbook files for the stocks of an ITCH
    file (``symbols``: only those) into ``out_dir``."""
    out = Path(out_dir)
    if not out.is_dir():
        raise ReplayError(f"{out}: no such folder to write LOBSTER files into")
    if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise ValueError(f"date={date!r} must be YYYY-MM-DD")
    day = date or date_from_name(path) or "0000-00-00"
    decoder = ItchDecoder()
    bar = Progress(progress_total(path), Path(path).name, progress)
    try:
        return write_lobster_records(iter_itch(path, decoder, bar), decoder.stocks, out, day, symbols, levels,
                                     tick_regime, label=str(path))
    finally:
        bar.close()


def write_lobster_records(batches: Iterable[np.ndarray], stocks: Callable[[], dict], out: Path, day: str,
                          symbols: Optional[list[str]], levels: int, tick_regime: TickRegime,
                          label: str) -> LobsterFiles:
    """:func:`write_lobster` from decoded ITCH records (``FEED_DTYPE``
    batches, in file order) and the stock directory as it grows
    (``stocks()``: locate -> (symbol, ...)): what a parallel task writes for
    its group of stocks."""
    wanted = set(symbols or [])
    files: dict[int, _Stock] = {}
    names: dict[int, str] = {}
    result = LobsterFiles(levels)

    def stock(loc: int) -> Optional[_Stock]:
        if loc in files:
            return files[loc]
        sym = names.get(loc)
        if sym is None or (wanted and sym not in wanted):
            return None
        if len(files) == MAX_OPEN_STOCKS:
            raise ReplayError(f"{label}: more than {MAX_OPEN_STOCKS} stocks to write at once: choose them with "
                              f"symbols= (--symbols), or split them across workers")
        msg_tmp, book_tmp = out / f".{sym}_message.partial", out / f".{sym}_orderbook.partial"
        try:
            files[loc] = _Stock(sym, LobsterWriter(levels, tick_regime), msg_tmp, book_tmp,
                                open(msg_tmp, "wb"), open(book_tmp, "wb"))
        except OSError as exc:
            raise ReplayError(f"{out}: cannot write LOBSTER files ({exc.strerror})") from None
        return files[loc]

    try:
        for batch in batches:
            directory = stocks()
            if len(directory) != len(names):
                names.update({loc: sym for loc, (sym, _, _) in directory.items()})
            for loc, mine in by_locate(batch):
                s = stock(loc)
                if s is None:
                    continue
                rows, book = s.writer.write(mine)
                try:
                    s.message_file.write(rows)
                    s.book_file.write(book)
                except OSError as exc:
                    raise ReplayError(f"{out}: cannot write LOBSTER files ({exc.strerror})") from None
    except BaseException:
        for s in files.values():
            for f, p in ((s.message_file, s.message_tmp), (s.book_file, s.book_tmp)):
                f.close()
                p.unlink(missing_ok=True)
        raise
    for s in files.values():
        s.message_file.close()
        s.book_file.close()
        start, end = s.writer.first_ts // 1_000_000, -(-s.writer.last_ts // 1_000_000)
        stem = f"{s.symbol}_{day}_{start}_{end}"
        msg_path, book_path = out / f"{stem}_message_{levels}.csv", out / f"{stem}_orderbook_{levels}.csv"
        s.message_tmp.replace(msg_path)
        s.book_tmp.replace(book_path)
        result.files[s.symbol] = (msg_path, book_path, s.writer.rows)
        result.skipped += s.writer.skipped
    return result


__all__ = ["LobsterFiles", "date_from_name", "write_lobster", "write_lobster_records"]
