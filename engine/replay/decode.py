"""Decoding replay files in chunks: LOBSTER message and orderbook files and
ITCH 5.0 into ``FEED_DTYPE`` records (or orderbook rows), in C++, so no
Python code runs per message and a whole day never sits in memory."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Optional, Protocol

import numpy as np

from engine._core import ItchDecoder, LobsterDecoder, OrderbookDecoder
from engine.dtypes import FEED_DTYPE
from engine.replay.files import READ_ERRORS, ReplayError, lobster_levels, open_stream, read_error
from engine.replay.progress import Progress

CHUNK_BYTES = 8 << 20  # what is read from the file at a time
BUFFER_RECORDS = 1 << 16  # decoded records per batch: stays in cache
MAX_RECORD_BYTES = 64 << 20  # a "record" longer than this (a file with no line ends) is refused, not buffered

# A decode step: (bytes, final, out array or None) -> (records, bytes consumed)
Decode = Callable[[memoryview, bool, Optional[np.ndarray]], tuple[np.ndarray, int]]


class Buffers(Protocol):
    """Where decoded records go: ``take()`` an array for the next decode step,
    ``unused(a)`` gives back one a step left empty."""

    def take(self) -> np.ndarray: ...
    def unused(self, array: np.ndarray) -> None: ...


def decode_stream(stream: BinaryIO, decode: Decode, path: str | Path, what: str,
                   progress: Optional[Progress] = None,
                   out: Optional[Buffers] = None) -> Iterator[np.ndarray]:
    """Read `stream` into one reused block and yield decoded record batches.
    Each decode step writes into ``out.take()`` (a batch is a view of that
    array); without ``out`` each batch is a fresh array. The unconsumed tail of
    a read (a record cut by the block's end) moves to the front of the block,
    so nothing is concatenated."""
    block = bytearray(CHUNK_BYTES)  # its size looked up now, so tests can shrink it
    view = memoryview(block)
    kept = 0  # bytes at the front carried over from the last read
    progress_bytes = 0  # read so far
    while True:
        if kept == len(block):  # one record longer than the block: make room
            if kept >= MAX_RECORD_BYTES:
                raise ReplayError(f"{path}: {what}a record longer than {MAX_RECORD_BYTES:,} bytes at byte "
                                  f"{progress_bytes}: not a file of this format")
            view.release()
            block.extend(bytes(len(block)))
            view = memoryview(block)
        try:
            got = stream.readinto(view[kept:]) or 0
        except READ_ERRORS as exc:
            raise read_error(path, progress_bytes, exc) from None
        progress_bytes += got
        eof = got == 0
        if progress is not None and got:
            progress.update(got)
        end = kept + got
        start = 0
        while True:
            target = out.take() if out is not None else None
            try:
                records, used = decode(view[start:end], eof, target)
            except ValueError as exc:
                raise ReplayError(f"{path}: {what}{exc}") from None
            if len(records):
                yield records
            elif target is not None:
                out.unused(target)
            start += used
            if used == 0 or start == end or len(records) == 0:
                break
        kept = end - start
        if eof:
            if kept:
                raise ReplayError(f"{path}: {what}the file ends inside a record ({kept} bytes left over)")
            return
        block[:kept] = block[start:end]


class OneBuffer:
    """One record array for every decode step: each batch is valid until the
    next is asked for (the plain, single-threaded reading)."""

    def __init__(self) -> None:
        self._array = np.empty(BUFFER_RECORDS, dtype=FEED_DTYPE)

    def take(self) -> np.ndarray:
        return self._array

    def unused(self, array: np.ndarray) -> None:
        pass


def iter_lobster(path: str | Path, progress: Optional[Progress] = None,
                 buffers: Optional[Buffers] = None) -> Iterator[np.ndarray]:
    """LOBSTER message records, batch by batch (``FEED_DTYPE``; views of reused
    arrays: one, unless ``buffers`` lends others)."""
    decoder = LobsterDecoder()
    with open_stream(path) as f:
        yield from decode_stream(f, lambda d, fin, o: decoder.decode(d, fin, out=o), path, "", progress,
                                  buffers or OneBuffer())


def iter_itch(path: str | Path, decoder: Optional[ItchDecoder] = None,
              progress: Optional[Progress] = None, buffers: Optional[Buffers] = None) -> Iterator[np.ndarray]:
    """ITCH message records, batch by batch (``FEED_DTYPE``; as :func:`iter_lobster`)."""
    decoder = decoder or ItchDecoder()
    with open_stream(path) as f:
        yield from decode_stream(f, lambda d, fin, o: decoder.decode(d, fin, out=o), path, "", progress,
                                  buffers or OneBuffer())


def _orderbook_batches(stream: BinaryIO, path: str | Path, levels: int) -> Iterator[np.ndarray]:
    """A LOBSTER orderbook stream's rows, batch by batch (int64, ``4 * levels``
    columns; each batch a fresh array, safe to keep)."""
    decoder = OrderbookDecoder(levels)
    return decode_stream(stream, lambda d, fin, _o: decoder.decode(d, fin), path, "")


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

    def finish(self, messages: int) -> None:
        """After the last message: refuse an orderbook file with rows left over."""
        extra = len(self._rows) + sum(len(batch) for batch in self._batches)
        if extra:
            raise ReplayError(f"{self.path}: the orderbook file has {extra:,} more rows than the message file "
                              f"has messages ({messages:,}): not this message file's orderbook")

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


def take_records(records: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``records[order]`` for ``FEED_DTYPE`` records, copied as rows of 64-bit
    words: numpy gathers those several times faster than structured records
    (measured 0.19 s against 0.03 s for 4M records in 64k batches)."""
    if records.dtype.itemsize % 8:
        return records[order]
    words = np.ascontiguousarray(records).view(np.uint64).reshape(len(records), -1)
    return np.take(words, order, axis=0).view(records.dtype).reshape(len(order))


def by_locate(records: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """Each stock locate's records, in their file order: one stable sort and
    one gather for them all, not a scan a stock."""
    if not len(records):
        return
    grouped = take_records(records, np.argsort(records["locate"], kind="stable"))
    locates = grouped["locate"]
    starts = np.flatnonzero(np.r_[True, locates[1:] != locates[:-1]])
    for a, b in zip(starts.tolist(), np.r_[starts[1:], len(grouped)].tolist()):
        yield int(locates[a]), grouped[a:b]


__all__ = ["Buffers", "OneBuffer", "OrderbookRows", "by_locate", "iter_itch", "iter_lobster", "read_lobster_orderbook",
           "take_records"]
