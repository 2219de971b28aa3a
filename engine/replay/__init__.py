"""Replaying historical order flow: LOBSTER, Nasdaq TotalView-ITCH 5.0 and
Databento DBN (MBO).

One concept a module, imports running one way (files <- progress <- decode <-
pipeline <- build, rematch; quotes and writers beside them):

    files.py     opening files (plain, .gz, .xz, .bz2, .zst, .zip), telling their format, ReplayError
    progress.py  a progress bar over the bytes read (tqdm when installed)
    decode.py    decoding in chunks into FEED_DTYPE records (in C++)
    dbn.py       Databento DBN (MBO) files into FEED_DTYPE records (numpy)
    dbn_out.py   DBN files made from ITCH (samples)
    pipeline.py  decoding on a second thread while the books are built
    states.py    the book after every message: arrays, CSV, Parquet
    lobster_out.py  LOBSTER message and orderbook files made from ITCH
    itch_split.py  an ITCH file split by stock group, for workers
    tasks.py     what a Dask worker runs on a group: build, re-match, LOBSTER files
    parallel.py  replay split by stock across Dask workers
    build.py     book building, and its check against LOBSTER orderbook files
    quotes.py    away venues' quotes (TAQ, or the project's own CSV) for re-matching
    taq_fast.py  the fast path for well-formed TAQ quote files (pyarrow)
    writers.py   events to CSV or Parquet
    rematch.py   re-matching the flow through the engine's own matching

Book building applies the messages as the venue reported them, one book per
stock; a LOBSTER orderbook file makes it a verification, row by row.
Re-matching (:func:`rematch`) sends the flow's orders through the engine's own
matching instead.
"""
from engine.feed import ANOMALIES
from engine.replay.build import ReplayResult, replay, replay_dbn, replay_itch, replay_lobster
from engine.replay.dbn import iter_dbn
from engine.replay.decode import OrderbookRows, iter_itch, iter_lobster, read_lobster_orderbook
from engine.replay.lobster_out import LobsterFiles, write_lobster
from engine.replay.parallel import ParallelResult, replay_parallel
from engine.replay.files import (
    ReplayError,
    file_format,
    lobster_levels,
    lobster_orderbook_for,
    lobster_symbol,
    open_stream,
    progress_total,
)
from engine.replay.progress import Progress
from engine.replay.quotes import QuoteFile, quotes_from_frame, read_quote_file, read_quotes
from engine.replay.rematch import RematchResult, rematch, rematch_stocks
from engine.replay.writers import EventWriter

__all__ = [
    "ANOMALIES",
    "EventWriter",
    "LobsterFiles",
    "ParallelResult",
    "OrderbookRows",
    "Progress",
    "QuoteFile",
    "RematchResult",
    "ReplayError",
    "ReplayResult",
    "file_format",
    "iter_dbn",
    "iter_itch",
    "iter_lobster",
    "lobster_levels",
    "lobster_orderbook_for",
    "lobster_symbol",
    "open_stream",
    "progress_total",
    "read_lobster_orderbook",
    "read_quote_file",
    "quotes_from_frame",
    "read_quotes",
    "rematch",
    "rematch_stocks",
    "replay",
    "replay_dbn",
    "replay_itch",
    "replay_lobster",
    "replay_parallel",
    "write_lobster",
]
