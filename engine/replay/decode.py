"""Decoding replay files in chunks: LOBSTER message and orderbook files and
ITCH 5.0 into ``FEED_DTYPE`` records (or orderbook rows), in C++, so no
Python code runs per message and a whole day never sits in memory."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Optional

import numpy as np

from engine._core import ItchDecoder, LobsterDecoder, OrderbookDecoder
from engine.dtypes import FEED_DTYPE
from engine.replay.files import ReplayError, lobster_levels, open_stream
from engine.replay.progress import Progress

CHUNK_BYTES = 8 << 20  # what is read from the file at a time
BUFFER_RECORDS = 1 << 16  # decoded records per batch: stays in cache


def _decode_stream(stream: BinaryIO, decode: Callable, path: str | Path, what: str,
                   progress: Optional[Progress] = None) -> Iterator[np.ndarray]:
    """Read `stream` in chunks and yield decoded record batches (views of one
    reused buffer: use each before asking for the next)."""
    pending = b""
    eof = False
    while not eof:
        chunk = stream.read(CHUNK_BYTES)  # looked up at each read, so tests can shrink it
        eof = not chunk
        if progress is not None and chunk:
            progress.update(len(chunk))
        data = memoryview(pending + chunk if pending else chunk)
        while True:
            try:
                records, used = decode(data, eof)
            except ValueError as exc:
                raise ReplayError(f"{path}: {what}{exc}") from None
            if len(records):
                yield records
            data = data[used:]
            if used == 0 or not len(data) or len(records) == 0:
                break
        pending = bytes(data)
        if eof and pending:
            raise ReplayError(f"{path}: {what}the file ends inside a record ({len(pending)} bytes left over)")


def iter_lobster(path: str | Path, progress: Optional[Progress] = None) -> Iterator[np.ndarray]:
    """LOBSTER message records, batch by batch (``FEED_DTYPE``; a reused buffer)."""
    decoder = LobsterDecoder()
    buf = np.empty(BUFFER_RECORDS, dtype=FEED_DTYPE)
    with open_stream(path) as f:
        yield from _decode_stream(f, lambda d, fin: decoder.decode(d, fin, out=buf), path, "", progress)


def iter_itch(path: str | Path, decoder: Optional[ItchDecoder] = None,
              progress: Optional[Progress] = None) -> Iterator[np.ndarray]:
    """ITCH message records, batch by batch (``FEED_DTYPE``; a reused buffer)."""
    decoder = decoder or ItchDecoder()
    buf = np.empty(BUFFER_RECORDS, dtype=FEED_DTYPE)
    with open_stream(path) as f:
        yield from _decode_stream(f, lambda d, fin: decoder.decode(d, fin, out=buf), path, "", progress)


def _orderbook_batches(stream: BinaryIO, path: str | Path, levels: int) -> Iterator[np.ndarray]:
    """A LOBSTER orderbook stream's rows, batch by batch (int64, ``4 * levels``
    columns; each batch a fresh array, safe to keep)."""
    return _decode_stream(stream, OrderbookDecoder(levels).decode, path, "")


class OrderbookRows:
    """A LOBSTER orderbook file, handed out in runs of rows that line up with
    the message batches (``take(n)``), decoding as it goes."""

    def __init__(self, path: str | Path, levels: int) -> None:
        self.path = path
        self.levels = levels
        self._stream = open_stream(path)
        self._batches = _orderbook_batches(self._stream, path, levels)
        self._rows: np.ndarray = np.empty((0, 4 * levels), dtype=np.int64)

    def take(self, n: int) -> np.ndarray:
        while len(self._rows) < n:
            batch = next(self._batches, None)
            if batch is None:
                raise ReplayError(f"{self.path}: the orderbook file has fewer rows than the message file")
            self._rows = np.concatenate([self._rows, batch]) if len(self._rows) else batch
        out, self._rows = self._rows[:n], self._rows[n:]
        return np.ascontiguousarray(out)

    def close(self) -> None:
        self._stream.close()


def read_lobster_orderbook(path: str | Path, levels: Optional[int] = None) -> np.ndarray:
    """A whole LOBSTER orderbook file as an int64 array of shape (rows, 4 * levels)."""
    levels = levels or lobster_levels(path)
    if not levels:
        raise ReplayError(f"{path}: cannot tell the number of levels from the name; pass levels=")
    with open_stream(path) as f:
        parts = list(_orderbook_batches(f, path, levels))
    return np.concatenate(parts) if parts else np.empty((0, 4 * levels), dtype=np.int64)


__all__ = ["OrderbookRows", "iter_itch", "iter_lobster", "read_lobster_orderbook"]
