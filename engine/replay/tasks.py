"""The tasks a Dask worker runs for a parallel replay, each on one group of
stocks (a group file of engine.replay.itch_split) or one whole file, each
stock in a book of its own: building the books as reported (book states into
a folder), re-matching them through the engine (events into a folder), or
writing their LOBSTER files. Each returns its counters, a summary per stock
and its own time, and names the worker it ran on."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any, Optional

import numpy as np

from engine._core import BookBuilder
from engine.dtypes import FEED_DTYPE
from engine.enums import TickRegime
from engine.replay.decode import by_locate
from engine.replay.files import lobster_symbol
from engine.replay.lobster_out import write_lobster_records
from engine.replay.quotes import read_quotes
from engine.replay.rematch import rematch, rematch_stock, safe_symbol
from engine.replay.states import BookStateWriter, symbol_table


def orders_digest(book: Any) -> str:
    """A digest of a book's resting orders in priority order (id, side, price,
    shares, time): equal digests, equal books."""
    orders = book.orders()
    h = hashlib.sha256()
    for name in ("order_id", "side", "price", "leaves", "displayed", "ts"):
        h.update(np.ascontiguousarray(orders[name]).tobytes())
    return h.hexdigest()[:16]


def stock_summary(book: Any) -> dict:
    return {"orders": len(book), "top": tuple(book.top()), "digest": orders_digest(book)}


def group_records(records_file: str) -> np.ndarray:
    """A group file's records, mapped (read in place; numpy cannot map an empty file)."""
    if not os.path.getsize(records_file):
        return np.zeros(0, dtype=FEED_DTYPE)
    return np.memmap(records_file, dtype=FEED_DTYPE, mode="r")


def build_group(records_file: str, index_file: str, stocks: dict, tick_regime: int, book_levels: int,
                book_out: Optional[str], chunk: int = 1 << 16) -> dict:
    """A task: build one group's books; per-stock summaries and counters back,
    book states (if asked) written beside the others in ``book_out``."""
    t0 = time.perf_counter()
    records = group_records(records_file)
    numbers = np.fromfile(index_file, dtype=np.int64)
    builder = BookBuilder(tick_regime)
    writer = None
    if book_levels and book_out:
        writer = BookStateWriter(Path(book_out) / (Path(records_file).stem + ".parquet"), book_levels)
        names = symbol_table(stocks)
    states = np.empty((chunk, 4 * max(book_levels, 1)), dtype=np.int64)
    for i in range(0, len(records), chunk):
        batch = records[i:i + chunk]  # apply copies each record before use: the mapped file is read in place
        if writer is None:
            builder.apply(batch)
        else:
            out = states[:len(batch)]
            builder.apply(batch, out)
            writer.write(batch, out, lambda locates: names[locates], numbers[i:i + len(batch)])
    if writer is not None:
        writer.close()
    per_stock = {}
    for loc in np.unique(records["locate"]).tolist() if len(records) else []:
        book = builder.book(loc)
        if book is not None and loc in stocks:
            per_stock[stocks[loc][0]] = stock_summary(book)
    seconds = time.perf_counter() - t0
    return {"stats": builder.stats, "stocks": per_stock, "messages": len(records), "seconds": seconds,
            "worker": worker_name()}


def match_group(records_file: str, index_file: str, stocks: dict, tick_regime: int, events_out: Optional[str],
                quotes: Optional[dict], chunk: int = 1 << 16) -> dict:
    """A task: re-match each stock of one group in its own book (against its
    quote file, when ``quotes`` names one), as a single-process
    ``rematch(path, symbol=...)`` does; per-stock summaries back, events (if
    asked) written as ``events_out/SYMBOL.parquet``."""
    t0 = time.perf_counter()
    records = group_records(records_file)
    stats: dict[str, int] = {}
    events: dict[str, int] = {}
    per_stock = {}
    for loc, mine in by_locate(records):
        if loc not in stocks:  # system events belong to no stock's book
            continue
        symbol = stocks[loc][0]
        q = read_quotes(quotes[symbol]) if quotes and quotes.get(symbol) else None
        out = str(Path(events_out) / f"{safe_symbol(symbol)}.parquet") if events_out else None
        run = rematch_stock((mine[i:i + chunk] for i in range(0, len(mine), chunk)), q,
                            tick_regime=TickRegime(tick_regime), events_out=out)
        per_stock[symbol] = {**stock_summary(run.book), "stats": run.stats, "events": run.events}
        for k, v in run.stats.items():
            stats[k] = stats.get(k, 0) + int(v)
        for k, v in run.events.items():
            if k != "codes":
                events[k] = events.get(k, 0) + int(v)
    return {"stats": stats, "events": events, "stocks": per_stock, "messages": len(records),
            "seconds": time.perf_counter() - t0, "worker": worker_name()}


def lobster_group(records_file: str, index_file: str, stocks: dict, out_dir: str, day: str, levels: int,
                  tick_regime: int, chunk: int = 1 << 16) -> dict:
    """A task: LOBSTER message and orderbook files for each stock of one
    group, written into ``out_dir`` as ``write_lobster`` writes them."""
    t0 = time.perf_counter()
    records = group_records(records_file)
    written = write_lobster_records((records[i:i + chunk] for i in range(0, len(records), chunk)), lambda: stocks,
                                    Path(out_dir), day, None, levels, TickRegime(tick_regime), label=records_file)
    files = {sym: (str(m), str(b), rows) for sym, (m, b, rows) in written.files.items()}
    return {"stats": {"messages": len(records), "lobster_rows": sum(r for *_, r in files.values()),
                      "lobster_skipped": written.skipped},
            "stocks": {}, "lobster_files": files, "messages": len(records), "seconds": time.perf_counter() - t0,
            "worker": worker_name()}


def replay_file(path: str, tick_regime: int) -> dict:
    """A task: one LOBSTER or DBN file replayed whole."""
    from engine.replay.build import replay

    t0 = time.perf_counter()
    r = replay(path, tick_regime=TickRegime(tick_regime), threads=False)
    per_stock = {}
    if r.file_format == "lobster":
        per_stock[lobster_symbol(path)] = stock_summary(r.book())
    else:
        for sym, *_rest in r.stocks.values():
            book = r.book(sym)
            if book is not None:
                per_stock[sym] = stock_summary(book)
    return {"stats": r.stats, "stocks": per_stock, "messages": r.messages, "seconds": time.perf_counter() - t0,
            "worker": worker_name()}


def match_file(path: str, tick_regime: int, events_out: Optional[str], quotes: Optional[dict]) -> dict:
    """A task: one LOBSTER file re-matched whole (its stock's quote file, if named)."""
    t0 = time.perf_counter()
    symbol = lobster_symbol(path)
    q = quotes.get(symbol) if quotes else None
    out = str(Path(events_out) / f"{safe_symbol(symbol)}.parquet") if events_out else None
    r = rematch(path, q, tick_regime=TickRegime(tick_regime), events_out=out)
    summary = {**stock_summary(r.book), "stats": r.stats, "events": r.events}
    return {"stats": r.stats, "events": {k: v for k, v in r.events.items() if k != "codes"},
            "messages": r.stats.get("messages", 0), "stocks": {symbol: summary}, "seconds": time.perf_counter() - t0,
            "worker": worker_name()}


def worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


__all__ = ["build_group", "group_records", "lobster_group", "match_file", "match_group", "orders_digest", "replay_file",
           "stock_summary", "worker_name"]
