"""Reading away venues' quotes for replay: a per-venue quote file into
``QUOTE_DTYPE`` records, sorted by time, and the venue names they index.

Two layouts are read:

* the project's own CSV: ``ts,venue,bid,bid_size,ask,ask_size,condition[,feed]``
  with ``ts`` in ns after midnight, prices in units of $0.0001, sizes in shares,
  ``condition`` a raw quote condition code or empty (then the quote is
  automated), and ``feed`` the feed the code comes from, ``CQS`` or ``UQDF``
  (REQ-FEED-01: a letter means different things on the two; UQDF 'F' is
  protected, CQS 'F' is not). Without a ``feed`` column the whole file's feed is
  the ``feed`` argument; a condition code with no feed at all is an error;
* NYSE TAQ quotes: ``DT_NY,DT,EX,BID,BIDSIZ,OFR,OFRSIZ,SYMBOL`` with prices in
  dollars and sizes in round lots (100 shares here), time of day from ``DT_NY``.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, TextIO

import numpy as np

from engine._core import MAX_VENUES
from engine.dtypes import QUOTE_DTYPE
from engine.enums import Feed
from engine.prices import to_units
from engine.replay.files import SOURCE_LINE, ReplayError, frame_as_csv, open_stream, sniff_csv_header
from engine.replay.taq_fast import read_taq_quotes_fast

TAQ_COLUMNS = ["DT_NY", "DT", "EX", "BID", "BIDSIZ", "OFR", "OFRSIZ"]
OWN_COLUMNS = ["ts", "venue", "bid", "bid_size", "ask", "ask_size", "condition"]


_CLOCKS: dict[str, int] = {}  # "HH:MM:SS" -> ns: a tape repeats each second many times


def ns_after_midnight(text: str) -> int:
    """TAQ's ``DT_NY``, '2018-01-02 04:04:13.125000' -> ns after midnight
    (ValueError for text of another shape)."""
    if len(text) >= 19 and text[13] == ":" and text[16] == ":" and text[10] == " ":  # the usual shape, quickly
        frac = text[20:] if len(text) > 20 and text[19] == "." else ""
        if len(text) == 19 or frac:
            clock = text[11:19]
            base = _CLOCKS.get(clock)
            if base is None:
                base = ((int(text[11:13]) * 60 + int(text[14:16])) * 60 + int(text[17:19])) * 1_000_000_000
                if len(_CLOCKS) < 200_000:  # a day has 86,400 seconds; odd text is not kept for ever
                    _CLOCKS[clock] = base
            return base + int(frac.ljust(9, "0")[:9]) if frac else base
    clock = text.split(" ")[-1]
    h, m, s = clock.split(":")
    sec, _, frac = s.partition(".")
    return ((int(h) * 60 + int(m)) * 60 + int(sec)) * 1_000_000_000 + int(frac.ljust(9, "0")[:9])


FEEDS = {"CQS": Feed.CQS, "UQDF": Feed.UQDF, "DIRECT": Feed.DIRECT}


def _feed_of(text: str, where: str) -> Feed:
    try:
        return FEEDS[text.strip().upper()]
    except KeyError:
        raise ReplayError(f"{where}: feed {text!r} is not CQS, UQDF or DIRECT") from None


@dataclass
class QuoteFile:
    """A quote file read for replay: its updates (``QUOTE_DTYPE``, by time), the
    venue names they index, and what it held: the days (TAQ) and the day kept,
    and the symbols (TAQ's SYMBOL column), so a replay can say when they are
    not the flow's."""

    quotes: np.ndarray
    venues: list[str]
    days: list[str] = field(default_factory=list)
    date: Optional[str] = None
    symbols: list[str] = field(default_factory=list)


def read_quote_file(path: str | Path, venues: Optional[list[str]] = None, round_lot: int = 100,
                    date: Optional[str] = None, feed: Optional[str] = None) -> tuple[np.ndarray, list[str]]:
    """Quote updates sorted by time, and the venue names (index = ``venue``)
    (:func:`read_quotes` without what the file held)."""
    q = read_quotes(path, venues, round_lot, date, feed)
    return q.quotes, q.venues


def read_quotes(path: str | Path, venues: Optional[list[str]] = None, round_lot: int = 100,
                date: Optional[str] = None, feed: Optional[str] = None, symbol: Optional[str] = None, *,
                name: Optional[str] = None) -> QuoteFile:
    """Quote updates sorted by time, the venue names, and what the file held.

    Times are ns after midnight, so one file holds one day: for TAQ, the rows of
    ``date`` (``"2018-01-02"``; default: the first row's date) are kept, and
    with ``symbol`` only that symbol's (a TAQ file may hold several).
    ``feed`` (``"CQS"`` or ``"UQDF"``) says which feed the condition codes of
    the project's own CSV come from when it has no ``feed`` column; ``name``:
    the file errors name (default: ``path``)."""
    header = sniff_csv_header(path)
    if header is not None and header[: len(TAQ_COLUMNS)] == TAQ_COLUMNS:
        fast = read_taq_quotes_fast(path, header, venues, round_lot, date, symbol)
        if fast is not None:
            quotes, names, days, day, symbols = fast
            return QuoteFile(quotes, names, days, day if days else None, symbols)
    with open_stream(path) as raw:
        return _read_quotes(io.TextIOWrapper(raw, encoding="ascii", newline=""), name or str(path), venues,
                            round_lot, date, feed, symbol)


def quotes_from_frame(frame: Any, venues: Optional[list[str]] = None, round_lot: int = 100,
                      date: Optional[str] = None, feed: Optional[str] = None, symbol: Optional[str] = None) -> QuoteFile:
    """:func:`read_quotes` for a pandas DataFrame with either file layout's
    columns, in that layout's units (TAQ: ``DT_NY`` as text or datetime64,
    prices in dollars, sizes in round lots; the project's own: ``ts`` in ns
    after midnight, prices in units of $0.0001, sizes in shares). The frame
    is read by the same parser as a file, so it is checked the same way."""
    return _read_quotes(frame_as_csv(frame, "quotes"), "quotes frame", venues, round_lot, date, feed, symbol)


def _read_quotes(stream: TextIO, path: str, venues: Optional[list[str]], round_lot: int, date: Optional[str],
                 feed: Optional[str], symbol: Optional[str] = None) -> QuoteFile:
    file_feed = _feed_of(feed, f"{path}") if feed is not None else None
    names = list(venues or [])
    ids = {n: i for i, n in enumerate(names)}
    rows = []
    days: dict[str, None] = {}  # in order of appearance
    symbols: dict[str, None] = {}
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        raise ReplayError(f"{path}: empty quote file")
    taq = header[: len(TAQ_COLUMNS)] == TAQ_COLUMNS
    if not taq and header[:6] != OWN_COLUMNS[:6]:
        raise ReplayError(
            f"{path}: line 1: expected a header {','.join(OWN_COLUMNS)} or TAQ's {','.join(TAQ_COLUMNS)}")
    col = {c: i for i, c in enumerate(header)}
    units: dict[str, int] = {}  # a day's quotes repeat a few thousand prices: convert each once

    def price(text: str) -> int:
        value = units.get(text)
        if value is None:
            value = units[text] = to_units(text or "0")
        return value

    source = col.get(SOURCE_LINE)
    for line, r in enumerate(reader, start=2):
        if source is not None:  # a piece of a split file: its rows name their line in the original
            line = int(r[source])
        try:
            if taq:
                day = r[col["DT_NY"]][:10]
                days[day] = None
                date = date or day
                if day != date:
                    continue
                if "SYMBOL" in col:
                    if symbol is not None and r[col["SYMBOL"]] != symbol:
                        continue
                    symbols[r[col["SYMBOL"]]] = None
                venue = r[col["EX"]]
                ts = ns_after_midnight(r[col["DT_NY"]])
                bid, ask = price(r[col["BID"]]), price(r[col["OFR"]])
                bsz, asz = int(r[col["BIDSIZ"]] or 0) * round_lot, int(r[col["OFRSIZ"]] or 0) * round_lot
                cond = ""
                row_feed = Feed.DIRECT
            else:
                venue = r[1]
                ts, bid, bsz, ask, asz = int(r[0]), int(r[2]), int(r[3]), int(r[4]), int(r[5])
                cond = r[6] if len(r) > 6 else ""
                row_feed = _feed_of(r[col["feed"]], f"{path}: line {line}") if "feed" in col else file_feed
                if cond and row_feed in (None, Feed.DIRECT):
                    raise ReplayError(
                        f"{path}: line {line}: condition {cond!r} needs the feed it comes from (CQS and UQDF"
                        " codes differ, REQ-FEED-01): add a 'feed' column or pass feed='CQS' or 'UQDF'"
                        " (--quote-feed on the command line)")
        except (ValueError, IndexError, KeyError) as exc:
            raise ReplayError(f"{path}: line {line}: malformed quote row ({exc})") from None
        if venue not in ids:
            if len(names) >= MAX_VENUES:
                raise ReplayError(f"{path}: line {line}: more than {MAX_VENUES} venues")
            ids[venue] = len(names)
            names.append(venue)
        rows.append((ts, max(bid, 0), max(bsz, 0), max(ask, 0), max(asz, 0), ids[venue],
                     row_feed if cond else Feed.DIRECT, ord(cond[0]) if cond else 0, 0, 0))
    out = np.array(rows, dtype=QUOTE_DTYPE) if rows else np.zeros(0, dtype=QUOTE_DTYPE)
    order = np.argsort(out["ts"], kind="stable")
    return QuoteFile(np.ascontiguousarray(out[order]), names, list(days), date if days else None, list(symbols))


__all__ = ["QuoteFile", "ns_after_midnight", "quotes_from_frame", "read_quote_file", "read_quotes"]
