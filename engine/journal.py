"""An append-only journal of every input to a book, with periodic snapshots,
and recovery of the exact state after a crash.

Every input (orders, cancels, replaces, expiries, quote updates, sessions,
self-help) is written to ``journal.bin`` as a record before it is applied:

    u32 length | u8 type | payload | u32 CRC-32 of type and payload

Orders and quotes are journaled as their raw ``COMMAND_DTYPE`` /
``QUOTE_DTYPE`` bytes and applied through the batch calls, so replaying the
journal applies exactly the same inputs. Every ``snapshot_every`` records the
book's whole state is written to ``snapshot-<records>.bin`` (via a temporary
file and a rename, so a snapshot is either whole or absent).

Recovery loads the newest whole snapshot and replays the records after it.
The engine is deterministic (it never reads the clock), so the recovered book,
and the events and sequence numbers of the replayed records, are exactly those
of an uninterrupted run. A torn last record (a crash in the middle of a write)
fails its length or checksum: it is cut off and reported.
"""
from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Optional

import numpy as np

from engine._core import Book, ProtectedBook, load_snapshot
from engine.dtypes import COMMAND_DTYPE, QUOTE_DTYPE, new_commands
from engine.enums import Action, TimeInForce

MAGIC = b"ENGJRNL1"
SNAPSHOT_MAGIC = b"ENGSNAP1"
COMMANDS, QUOTES, SESSION, SELF_HELP_DECLARE, SELF_HELP_REVOKE = 1, 2, 3, 4, 5
_HEAD = struct.Struct("<IB")  # payload length, type
_CRC = struct.Struct("<I")
_SESSION = struct.Struct("<qB")
_DECLARE = struct.Struct("<qiqq")
_REVOKE = struct.Struct("<qiq")
NEVER = 2**63 - 1


class JournalError(ValueError):
    """A journal or snapshot that cannot be used: names the file and the problem."""


@dataclass
class RecoveryReport:
    snapshot: Optional[str]  # the snapshot file used (None: replayed from the start)
    snapshot_records: int  # records the snapshot covers
    replayed: int  # records applied after it
    truncated_bytes: int  # a torn last record cut off the journal
    events: np.ndarray  # the events of the replayed records


class JournaledBook:
    """A Book or ProtectedBook whose every input is journaled before it is applied.

    Inputs go in through the methods below (which mirror the book's); each
    returns the events it produced. Reads go straight to ``.book``.
    """

    def __init__(self, directory: str | Path, book: Book, snapshot_every: int = 100_000,
                 fsync: bool = False) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.book = book
        self.snapshot_every = snapshot_every
        self.fsync = fsync
        path = self.directory / "journal.bin"
        fresh = not path.exists() or path.stat().st_size == 0
        self.records = 0
        if not fresh:
            self.records, end = _scan_records(path)
            if end < path.stat().st_size:  # records appended after a torn one would be lost on recovery
                raise JournalError(f"{path}: a torn record at byte {end}: run recover() before journaling more")
        self._file: BinaryIO = open(path, "ab")
        if fresh:
            self._file.write(MAGIC)
            self._file.flush()
        self._since_snapshot = 0

    # ---- inputs
    def execute(self, commands: np.ndarray) -> np.ndarray:
        if commands.dtype != COMMAND_DTYPE:
            raise TypeError(f"commands must have dtype engine.COMMAND_DTYPE, not {commands.dtype}")
        commands = np.ascontiguousarray(commands)
        self._append(COMMANDS, commands.tobytes())
        return self.book.execute(commands)

    def update_quotes(self, quotes: np.ndarray) -> np.ndarray:
        if quotes.dtype != QUOTE_DTYPE:
            raise TypeError(f"quotes must have dtype engine.QUOTE_DTYPE, not {quotes.dtype}")
        quotes = np.ascontiguousarray(quotes)
        book = self._protected()
        self._append(QUOTES, quotes.tobytes())
        return book.update_quotes(quotes)

    def submit(self, order_id: int, side: int, price: int, quantity: int, *, ts: Optional[int] = None,
               **kw) -> np.ndarray:
        """As :meth:`Book.submit` (same arguments, checks and defaults)."""
        return self.execute(self.book.order_record(order_id, side, price, quantity, ts=ts, **kw))

    def cancel(self, order_id: int, *, ts: Optional[int] = None) -> np.ndarray:
        return self._simple(Action.CANCEL, order_id, ts)

    def reduce(self, order_id: int, quantity: int, *, ts: Optional[int] = None) -> np.ndarray:
        return self._simple(Action.REDUCE, order_id, ts, quantity=quantity)

    def replace(self, order_id: int, price: int, quantity: int, *, new_order_id: int = 0,
                ts: Optional[int] = None) -> np.ndarray:
        return self._simple(Action.REPLACE, order_id, ts, price=price, quantity=quantity, new_order_id=new_order_id)

    def expire(self, *, tif: int = TimeInForce.DAY, ts: Optional[int] = None) -> np.ndarray:
        return self._simple(Action.EXPIRE, 0, ts, tif=tif)

    def update_quote(self, venue, bid_price: int, bid_size: int, ask_price: int, ask_size: int, *,
                     ts: Optional[int] = None, **kw) -> np.ndarray:
        """As :meth:`ProtectedBook.update_quote` (same arguments and checks)."""
        record = self._protected().quote_record(venue, bid_price, bid_size, ask_price, ask_size, ts=ts, **kw)
        return self.update_quotes(record)

    def start_regular_hours(self, *, ts: Optional[int] = None) -> np.ndarray:
        return self._session(ts, True)

    def end_regular_hours(self, *, ts: Optional[int] = None) -> np.ndarray:
        return self._session(ts, False)

    def declare_self_help(self, venue, start: Optional[int] = None, end: Optional[int] = None, *,
                          ts: Optional[int] = None) -> np.ndarray:
        t = self._ts(ts)
        v = self._protected().venue_id(venue)
        s0, e0 = t if start is None else start, NEVER if end is None else end
        self._append(SELF_HELP_DECLARE, _DECLARE.pack(t, v, s0, e0))
        self.book.declare_self_help(v, s0, e0, ts=t)  # type: ignore[attr-defined]
        return self.book.take_events()

    def revoke_self_help(self, venue, at: Optional[int] = None, *, ts: Optional[int] = None) -> np.ndarray:
        t = self._ts(ts)
        v = self._protected().venue_id(venue)
        a = t if at is None else at
        self._append(SELF_HELP_REVOKE, _REVOKE.pack(t, v, a))
        self.book.revoke_self_help(v, a, ts=t)  # type: ignore[attr-defined]
        return self.book.take_events()

    # ---- snapshots and closing
    def snapshot(self) -> Path:
        """Write the book's whole state now; returns the snapshot file."""
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())
        body = self.book.save_snapshot()
        data = SNAPSHOT_MAGIC + struct.pack("<Q", self.records) + body
        data += _CRC.pack(zlib.crc32(data))
        final = self.directory / f"snapshot-{self.records:016d}.bin"
        tmp = final.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            if self.fsync:
                os.fsync(f.fileno())
        os.replace(tmp, final)
        self._since_snapshot = 0
        return final

    def close(self) -> None:
        self._file.flush()
        self._file.close()

    def __enter__(self) -> "JournaledBook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- internals
    def _protected(self) -> ProtectedBook:
        if not isinstance(self.book, ProtectedBook):
            raise TypeError("quotes, sessions and self-help need a ProtectedBook")
        return self.book

    def _ts(self, ts: Optional[int]) -> int:
        if ts is not None:
            return int(ts)
        last = self.book.last_timestamp
        return max(last, 0) if last is not None else 0

    def _simple(self, action: int, order_id: int, ts: Optional[int], **fields) -> np.ndarray:
        c = new_commands(1)
        c["action"], c["order_id"], c["ts"] = action, order_id, self._ts(ts)
        for k, v in fields.items():
            c[k] = v
        return self.execute(c)

    def _session(self, ts: Optional[int], rth: bool) -> np.ndarray:
        t = self._ts(ts)
        self._append(SESSION, _SESSION.pack(t, rth))
        book = self._protected()
        (book.start_regular_hours if rth else book.end_regular_hours)(ts=t)
        return book.take_events()

    def _append(self, kind: int, payload: bytes) -> None:
        if self._since_snapshot >= self.snapshot_every:
            self.snapshot()
        body = bytes([kind]) + payload
        self._file.write(_HEAD.pack(len(payload), kind) + payload + _CRC.pack(zlib.crc32(body)))
        self._file.flush()  # in the OS once written: a killed process loses nothing written
        if self.fsync:
            os.fsync(self._file.fileno())
        self.records += 1
        self._since_snapshot += 1


def _read_records(path: Path):
    """Yield (offset, kind, payload) of whole records; stops at the first torn one,
    returning its offset (or the file size) through StopIteration's value."""
    with open(path, "rb") as f:
        data = f.read()
    if data[: len(MAGIC)] != MAGIC:
        raise JournalError(f"{path}: not an engine journal (bad header)")
    pos = len(MAGIC)
    while pos < len(data):
        if pos + _HEAD.size > len(data):
            return pos
        length, kind = _HEAD.unpack_from(data, pos)
        end = pos + _HEAD.size + length + _CRC.size
        if end > len(data):
            return pos
        payload = data[pos + _HEAD.size: pos + _HEAD.size + length]
        (crc,) = _CRC.unpack_from(data, end - _CRC.size)
        if crc != zlib.crc32(bytes([kind]) + payload):
            return pos
        yield pos, kind, payload
        pos = end
    return pos


def _scan_records(path: Path) -> tuple[int, int]:
    """How many whole records the journal holds, and the byte offset where they end."""
    records = _read_records(path)
    count = 0
    while True:
        try:
            next(records)
        except StopIteration as stop:
            return count, stop.value
        count += 1


def _apply(book: Book, kind: int, payload: bytes) -> np.ndarray:
    if kind == COMMANDS:
        return book.execute(np.frombuffer(payload, dtype=COMMAND_DTYPE).copy())
    if kind == QUOTES:
        return book.update_quotes(np.frombuffer(payload, dtype=QUOTE_DTYPE).copy())  # type: ignore[attr-defined]
    if kind == SESSION:
        t, rth = _SESSION.unpack(payload)
        (book.start_regular_hours if rth else book.end_regular_hours)(ts=t)  # type: ignore[attr-defined]
    elif kind == SELF_HELP_DECLARE:
        t, v, s0, e0 = _DECLARE.unpack(payload)
        book.declare_self_help(v, s0, e0, ts=t)  # type: ignore[attr-defined]
    elif kind == SELF_HELP_REVOKE:
        t, v, a = _REVOKE.unpack(payload)
        book.revoke_self_help(v, a, ts=t)  # type: ignore[attr-defined]
    else:
        raise JournalError(f"unknown journal record type {kind}")
    return book.take_events()


def _latest_snapshot(directory: Path) -> tuple[Optional[Path], int, Optional[bytes]]:
    for path in sorted(directory.glob("snapshot-*.bin"), reverse=True):
        data = path.read_bytes()
        if len(data) < 20 or data[:8] != SNAPSHOT_MAGIC:
            continue
        (crc,) = _CRC.unpack_from(data, len(data) - 4)
        if crc != zlib.crc32(data[:-4]):
            continue  # not whole: an older one will do
        (records,) = struct.unpack_from("<Q", data, 8)
        return path, records, data[16:-4]
    return None, 0, None


def recover(directory: str | Path, new_book, *, symbol: str = "", venues=(), truncate: bool = True):
    """Rebuild the book a journal describes: the newest whole snapshot, then the
    records after it. ``new_book()`` makes the empty book to start from when no
    snapshot exists. A torn last record is cut off the file (``truncate``) and
    reported. Returns ``(book, RecoveryReport)``."""
    directory = Path(directory)
    path = directory / "journal.bin"
    if not path.exists():
        raise JournalError(f"{path}: no journal")
    snap, covered, body = _latest_snapshot(directory)
    book = load_snapshot(body, symbol, venues) if body is not None else new_book()
    events = []
    replayed = 0
    gen = _read_records(path)
    index = 0
    end = None
    while True:
        try:
            _offset, kind, payload = next(gen)
        except StopIteration as stop:
            end = stop.value
            break
        if index >= covered:
            events.append(_apply(book, kind, payload))
            replayed += 1
        index += 1
    if index < covered:
        raise JournalError(f"{path}: the journal holds {index} records but {snap} covers {covered}")
    size = path.stat().st_size
    torn = size - end if end is not None else 0
    if torn and truncate:
        with open(path, "r+b") as f:
            f.truncate(end)
    from engine.dtypes import EVENT_DTYPE

    all_events = np.concatenate(events) if events else np.zeros(0, dtype=EVENT_DTYPE)
    return book, RecoveryReport(str(snap) if snap else None, covered, replayed, torn, all_events)


__all__ = ["JournalError", "JournaledBook", "RecoveryReport", "recover"]
