"""An append-only journal of every input to a book, with periodic snapshots,
and recovery of the exact state after a crash.

Every input that changes what the book does (orders, cancels, replaces,
expiries, quote updates, sessions, self-help, configuration, fee schedules) is
written to ``journal.bin`` as a record before it is applied:

    u32 length | u8 type | payload | u32 CRC-32 of type and payload

Orders and quotes are journaled as their raw ``COMMAND_DTYPE`` /
``QUOTE_DTYPE`` bytes and applied through the batch calls, so replaying the
journal applies exactly the same inputs. A new journal starts with a snapshot of
the book as it was handed over (its configuration included); every
``snapshot_every`` records the book's whole state is written again to
``snapshot-<records>.bin`` (via a temporary file and a rename, so a snapshot is
either whole or absent).

What a record promises:

* An input is checked completely (by the book's own checks, through its
  ``*_record`` methods and ``dry_run``) before it is written, and the book is
  held (:meth:`Book.hold`) from the check to the apply, so the journal never
  holds an input the live book refused with an exception or applied in another
  order than another thread's.
* The file is written without a user-space buffer. A write that fails (a full
  disk) is cut back to the last whole record, so no byte of a failed call
  reaches the file later; if even that fails, the journal refuses further
  writes until it is opened again. An input whose apply raises after it was
  written (out of memory) is cut back the same way.
* One writer per folder: an exclusive lock (``journal.lock``) is taken by a
  :class:`JournaledBook` and by :func:`recover`.

Recovery loads the newest whole snapshot and replays the records after it.
The engine is deterministic (it never reads the clock), so the recovered book,
and the events and sequence numbers of the replayed records, are exactly those
of an uninterrupted run. Damage is told apart by where it is: a torn tail (the
damage runs to the end of the file, as a crash in the middle of a write leaves
it) is cut off and reported; damage followed by whole records is corruption,
raised as :class:`JournalError` naming the byte, and nothing is cut off.
"""
from __future__ import annotations

import errno
import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from engine._core import Book, ProtectedBook, load_snapshot
from engine.dtypes import COMMAND_DTYPE, EVENT_DTYPE, QUOTE_DTYPE
from engine.enums import TimeInForce

try:  # POSIX advisory locks; elsewhere only one writer is assumed
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None  # type: ignore[assignment]

MAGIC = b"ENGJRNL1"
SNAPSHOT_MAGIC = b"ENGSNAP1"
COMMANDS, QUOTES, SESSION, SELF_HELP_DECLARE, SELF_HELP_REVOKE, CONFIGURE, FEES = 1, 2, 3, 4, 5, 6, 7
KINDS = frozenset({COMMANDS, QUOTES, SESSION, SELF_HELP_DECLARE, SELF_HELP_REVOKE, CONFIGURE, FEES})
_HEAD = struct.Struct("<IB")  # payload length, type
_CRC = struct.Struct("<I")
_SESSION = struct.Struct("<qB")
_DECLARE = struct.Struct("<qiqq")
_REVOKE = struct.Struct("<qiq")
_FEES = struct.Struct("<qqqqB")
LOCK_NAME = "journal.lock"


class JournalError(ValueError):
    """A journal or snapshot that cannot be used: names the file and the problem."""


@dataclass
class RecoveryReport:
    snapshot: Optional[str]  # the snapshot file used (None: replayed from the start)
    snapshot_records: int  # records the snapshot covers
    replayed: int  # records applied after it
    truncated_bytes: int  # a torn tail cut off the journal
    events: np.ndarray  # the events of the replayed records


# ------------------------------------------------------------------ reading
@dataclass
class _Scan:
    records: list[tuple[int, int, bytes]]  # (offset, kind, payload) of the whole records
    end: int  # where the whole records end
    size: int  # the file's size

    @property
    def torn(self) -> int:
        return self.size - self.end


def _record_at(data: bytes, pos: int) -> Optional[tuple[int, bytes, int]]:
    """(kind, payload, end) of a whole, checked record at pos, or None."""
    if pos + _HEAD.size + _CRC.size > len(data):
        return None
    length, kind = _HEAD.unpack_from(data, pos)
    end = pos + _HEAD.size + length + _CRC.size
    if kind not in KINDS or end > len(data):
        return None
    payload = data[pos + _HEAD.size: end - _CRC.size]
    (crc,) = _CRC.unpack_from(data, end - _CRC.size)
    if crc != zlib.crc32(bytes([kind]) + payload):
        return None
    return kind, payload, end


def _scan(path: Path) -> _Scan:
    """The whole records of a journal. A torn tail is left to the caller; damage
    followed by a whole record raises JournalError naming the byte. A file that
    holds no more than a beginning of the header (a journal torn while it was
    being created) has no records and a torn tail of its size."""
    data = path.read_bytes()
    if not data.startswith(MAGIC):
        if MAGIC.startswith(data):
            return _Scan([], 0, len(data))
        raise JournalError(f"{path}: not an engine journal (bad header)")
    pos = len(MAGIC)
    records = []
    while pos < len(data):
        rec = _record_at(data, pos)
        if rec is None:
            for later in range(pos + 1, len(data)):
                if _record_at(data, later) is not None:
                    raise JournalError(
                        f"{path}: the record at byte {pos} is damaged but a whole record follows at byte {later}:"
                        " the journal is corrupt in the middle (not a torn write); nothing was cut off")
            break
        kind, payload, end = rec
        records.append((pos, kind, payload))
        pos = end
    return _Scan(records, pos, len(data))


class _FolderLock:
    """An exclusive lock on a journal folder, held while a writer or a recovery uses it."""

    def __init__(self, directory: Path) -> None:
        self._fd: Optional[int] = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is None:
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self._fd)
            self._fd = None
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise JournalError(f"{directory}: the journal is open in another JournaledBook or recovery"
                                   " (one writer per folder)") from None
            raise

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


# ------------------------------------------------------------------ writing
class JournaledBook:
    """A Book or ProtectedBook whose every input is journaled before it is applied.

    Inputs go in through the methods below (which mirror the book's, with the
    same checks and defaults); each returns the events it produced. Reads go
    straight to ``.book``. Use one JournaledBook per folder (it is locked), and
    :meth:`close` it (or use it in a ``with`` block) to release the folder.
    """

    def __init__(self, directory: str | Path, book: Book, snapshot_every: int = 100_000,
                 fsync: bool = False) -> None:
        if not isinstance(book, Book):
            raise TypeError(f"book must be an engine Book or ProtectedBook, not {type(book).__name__}")
        if snapshot_every < 1:
            raise ValueError(f"snapshot_every={snapshot_every} must be at least 1")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.book = book
        self.snapshot_every = snapshot_every
        self.fsync = fsync
        self._fd: Optional[int] = None
        self._end = 0  # where the whole records end: every write starts here
        self._broken: Optional[BaseException] = None
        self._lock = _FolderLock(self.directory)
        try:
            path = self.directory / "journal.bin"
            scan = _scan(path) if path.exists() else _Scan([], 0, 0)
            fresh = scan.end == 0  # no header yet (or only a piece of one)
            if not fresh and scan.torn:  # records appended after a torn one would be lost on recovery
                raise JournalError(f"{path}: a torn record at byte {scan.end}: run recover() before journaling more")
            self.records = len(scan.records)
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
            if fresh:
                os.ftruncate(self._fd, 0)
                self._write(MAGIC)  # at _end == 0
                self._end = len(MAGIC)
                self._sync()
                self.snapshot()  # the book as it was handed over: configuration set before journaling
            else:
                self._end = scan.end
            self._since_snapshot = 0
        except BaseException:
            self.close()
            raise

    # ---- inputs
    def execute(self, commands: np.ndarray) -> np.ndarray:
        with self.book.hold():
            own = _own_records(commands, COMMAND_DTYPE, "commands", "COMMAND_DTYPE")
            return self._journal(COMMANDS, own.tobytes(), lambda: self.book.execute(own))

    def update_quotes(self, quotes: np.ndarray) -> np.ndarray:
        book = self._protected()
        with book.hold():
            own = _own_records(quotes, QUOTE_DTYPE, "quotes", "QUOTE_DTYPE")
            return self._journal(QUOTES, own.tobytes(), lambda: book.update_quotes(own))

    def submit(self, order_id: int, side: int, price: int, quantity: int, *, ts: Optional[int] = None,
               **kw: Any) -> np.ndarray:
        """As :meth:`Book.submit` (same arguments, checks and defaults)."""
        with self.book.hold():
            return self.execute(self.book.order_record(order_id, side, price, quantity, ts=ts, **kw))

    def add(self, order_id: int, side: int, price: int, quantity: int, ts: Optional[int] = None) -> np.ndarray:
        """As :meth:`Book.add`: a displayed DAY limit order."""
        return self.submit(order_id, side, price, quantity, ts=ts)

    def ioc(self, order_id: int, side: int, price: int, quantity: int, ts: Optional[int] = None) -> np.ndarray:
        """As :meth:`Book.ioc`: an immediate-or-cancel limit order."""
        return self.submit(order_id, side, price, quantity, ts=ts, tif=TimeInForce.IOC)

    def cancel(self, order_id: int, *, ts: Optional[int] = None) -> np.ndarray:
        with self.book.hold():
            return self.execute(self.book.cancel_record(order_id, ts=ts))

    def reduce(self, order_id: int, quantity: int, *, ts: Optional[int] = None) -> np.ndarray:
        with self.book.hold():
            return self.execute(self.book.reduce_record(order_id, quantity, ts=ts))

    def replace(self, order_id: int, price: int, quantity: int, *, new_order_id: Optional[int] = None,
                ts: Optional[int] = None) -> np.ndarray:
        with self.book.hold():
            return self.execute(self.book.replace_record(order_id, price, quantity, new_order_id=new_order_id, ts=ts))

    def expire(self, *, tif: int = TimeInForce.DAY, ts: Optional[int] = None) -> np.ndarray:
        with self.book.hold():
            return self.execute(self.book.expire_record(tif=tif, ts=ts))

    def update_quote(self, venue: str | int, bid_price: int, bid_size: int, ask_price: int, ask_size: int, *,
                     ts: Optional[int] = None, **kw: Any) -> np.ndarray:
        """As :meth:`ProtectedBook.update_quote` (same arguments and checks)."""
        book = self._protected()
        with book.hold():
            return self.update_quotes(book.quote_record(venue, bid_price, bid_size, ask_price, ask_size, ts=ts, **kw))

    def start_regular_hours(self, *, ts: Optional[int] = None) -> np.ndarray:
        return self._session(ts, True)

    def end_regular_hours(self, *, ts: Optional[int] = None) -> np.ndarray:
        return self._session(ts, False)

    def declare_self_help(self, venue: str | int, start: Optional[int] = None, end: Optional[int] = None, *,
                          ts: Optional[int] = None) -> np.ndarray:
        book = self._protected()
        with book.hold():
            a = book.declare_self_help(venue, start, end, ts=ts, dry_run=True)
            payload = _DECLARE.pack(a["ts"], a["venue"], a["start"], a["end"])
            return self._journal(SELF_HELP_DECLARE, payload, lambda: _control(book, SELF_HELP_DECLARE, payload))

    def revoke_self_help(self, venue: str | int, at: Optional[int] = None, *,
                         ts: Optional[int] = None) -> np.ndarray:
        book = self._protected()
        with book.hold():
            a = book.revoke_self_help(venue, at, ts=ts, dry_run=True)
            payload = _REVOKE.pack(a["ts"], a["venue"], a["at"])
            return self._journal(SELF_HELP_REVOKE, payload, lambda: _control(book, SELF_HELP_REVOKE, payload))

    def configure(self, **settings: Any) -> np.ndarray:
        """As :meth:`ProtectedBook.configure`: checked whole, journaled, applied."""
        book = self._protected()
        with book.hold():
            args = book.configure(**settings, dry_run=True)
            payload = json.dumps(args, sort_keys=True).encode()
            return self._journal(CONFIGURE, payload, lambda: _control(book, CONFIGURE, payload))

    def set_fee_schedule(self, **schedule: Any) -> np.ndarray:
        """As :meth:`ProtectedBook.set_fee_schedule`: checked against the cap, journaled, loaded."""
        book = self._protected()
        with book.hold():
            f = book.set_fee_schedule(**schedule, dry_run=True)
            payload = _FEES.pack(f["take_fee_nd"], f["take_rate_ppm"], f["make_rebate_nd"], f["make_rate_ppm"],
                                 f["regime"])
            return self._journal(FEES, payload, lambda: _control(book, FEES, payload))

    # ---- snapshots and closing
    def snapshot(self) -> Path:
        """Write the book's whole state now; returns the snapshot file."""
        self._usable()
        self._sync()
        body = self.book.save_snapshot()
        data = SNAPSHOT_MAGIC + struct.pack("<Q", self.records) + body
        data += _CRC.pack(zlib.crc32(data))
        final = self.directory / f"snapshot-{self.records:016d}.bin"
        tmp = final.with_suffix(".tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                if self.fsync:
                    os.fsync(f.fileno())
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)  # a snapshot is whole or absent
            raise
        if self.fsync:
            _sync_folder(self.directory)
        self._since_snapshot = 0
        return final

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._lock.release()

    def __enter__(self) -> "JournaledBook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- internals
    def _protected(self) -> ProtectedBook:
        if not isinstance(self.book, ProtectedBook):
            raise TypeError("quotes, sessions, self-help, configuration and fees need a ProtectedBook")
        return self.book

    def _session(self, ts: Optional[int], rth: bool) -> np.ndarray:
        book = self._protected()
        with book.hold():
            a = book.start_regular_hours(ts=ts, dry_run=True)
            payload = _SESSION.pack(a["ts"], rth)
            return self._journal(SESSION, payload, lambda: _control(book, SESSION, payload))

    def _usable(self) -> None:
        if self._fd is None:
            raise JournalError(f"{self.directory}: the journal is closed")
        if self._broken is not None:
            raise JournalError(f"{self.directory}: an earlier write failed and could not be cut back"
                               f" ({self._broken}); open the journal again") from self._broken

    def _journal(self, kind: int, payload: bytes, apply: Callable[[], np.ndarray]) -> np.ndarray:
        """Write the record, then apply it; a record whose apply raises is cut back."""
        self._usable()
        if self._since_snapshot >= self.snapshot_every:
            self.snapshot()
        start = self._end
        body = bytes([kind]) + payload
        self._append(_HEAD.pack(len(payload), kind) + payload + _CRC.pack(zlib.crc32(body)))
        try:
            events = apply()
        except BaseException:
            self._cut_back(start, count=1)
            raise
        return events

    def _append(self, record: bytes) -> None:
        start = self._end
        try:
            self._write(record)
            self._sync()
        except OSError:
            self._cut_back(start, count=0)  # no byte of a failed call may reach the file later
            raise
        self._end = start + len(record)
        self.records += 1
        self._since_snapshot += 1

    def _cut_back(self, offset: int, count: int) -> None:
        assert self._fd is not None
        try:
            os.ftruncate(self._fd, offset)
            self._sync()
        except OSError as exc:
            self._broken = exc
            return
        self._end = offset
        self.records -= count
        self._since_snapshot = max(self._since_snapshot - count, 0)

    def _write(self, data: bytes) -> None:
        """All of data at the journal's end, with no user-space buffer in between."""
        assert self._fd is not None
        view = memoryview(data)
        os.lseek(self._fd, self._end, os.SEEK_SET)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]

    def _sync(self) -> None:
        if self.fsync and self._fd is not None:
            os.fsync(self._fd)


def _own_records(records: np.ndarray, dtype: np.dtype, name: str, dtype_name: str) -> np.ndarray:
    """A private, contiguous, aligned copy of a batch, checked as the book checks it:
    what is journaled is exactly what is applied, whatever another thread does
    to the caller's array meanwhile."""
    if not isinstance(records, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of engine.{dtype_name}, not {type(records).__name__}")
    if records.dtype != dtype:
        raise TypeError(f"{name} must have dtype engine.{dtype_name}, not {records.dtype}")
    if records.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, not {records.ndim}-dimensional")
    return np.array(records, dtype=dtype, order="C", copy=True)


def _control(book: ProtectedBook, kind: int, payload: bytes) -> np.ndarray:
    """Apply a control record (live and in recovery alike) and hand back its events."""
    if kind == SESSION:
        t, rth = _SESSION.unpack(payload)
        (book.start_regular_hours if rth else book.end_regular_hours)(ts=t)
    elif kind == SELF_HELP_DECLARE:
        t, v, s0, e0 = _DECLARE.unpack(payload)
        book.declare_self_help(v, s0, e0, ts=t)
    elif kind == SELF_HELP_REVOKE:
        t, v, a = _REVOKE.unpack(payload)
        book.revoke_self_help(v, a, ts=t)
    elif kind == CONFIGURE:
        book.configure(**json.loads(payload))
    elif kind == FEES:
        take, take_ppm, make, make_ppm, regime = _FEES.unpack(payload)
        book.set_fee_schedule(take_fee_nd=take, take_rate_ppm=take_ppm, make_rebate_nd=make, make_rate_ppm=make_ppm,
                              regime=regime)
    else:
        raise JournalError(f"unknown journal record type {kind}")
    return book.take_events()


def _apply(book: Book, kind: int, payload: bytes) -> np.ndarray:
    if kind == COMMANDS:
        return book.execute(np.frombuffer(payload, dtype=COMMAND_DTYPE).copy())
    if not isinstance(book, ProtectedBook):
        raise JournalError(f"a journal record of type {kind} needs a ProtectedBook")
    if kind == QUOTES:
        return book.update_quotes(np.frombuffer(payload, dtype=QUOTE_DTYPE).copy())
    return _control(book, kind, payload)


def _sync_folder(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _latest_snapshot(directory: Path, limit: int) -> tuple[Optional[Path], int, Optional[bytes]]:
    """The newest whole snapshot covering no more than `limit` records."""
    for path in sorted(directory.glob("snapshot-*.bin"), reverse=True):
        data = path.read_bytes()
        if len(data) < 20 or data[:8] != SNAPSHOT_MAGIC:
            continue
        (crc,) = _CRC.unpack_from(data, len(data) - 4)
        if crc != zlib.crc32(data[:-4]):
            continue  # not whole: an older one will do
        (records,) = struct.unpack_from("<Q", data, 8)
        if records > limit:
            raise JournalError(f"{directory / 'journal.bin'}: the journal holds {limit} records but {path} covers"
                               f" {records}")
        return path, records, data[16:-4]
    return None, 0, None


def recover(directory: str | Path, new_book: Callable[[], Book], *, symbol: str = "", venues: Any = None,
            truncate: bool = True) -> tuple[Book, RecoveryReport]:
    """Rebuild the book a journal describes: the newest whole snapshot, then the
    records after it. ``new_book()`` makes the empty book to start from when no
    snapshot exists (a journal starts with one, so only a journal cut short at
    its very start needs it). A snapshot names its venues; ``venues``, if given,
    must be those. A torn tail is cut off the file (``truncate``) and reported;
    damage followed by whole records raises :class:`JournalError`. Returns
    ``(book, RecoveryReport)``."""
    directory = Path(directory)
    path = directory / "journal.bin"
    if not path.exists():
        raise JournalError(f"{path}: no journal")
    lock = _FolderLock(directory)
    try:
        scan = _scan(path)
        snap, covered, body = _latest_snapshot(directory, len(scan.records))
        book = load_snapshot(body, symbol, venues) if body is not None else new_book()
        events = [_apply(book, kind, payload) for _, kind, payload in scan.records[covered:]]
        if scan.torn and truncate:
            with open(path, "r+b") as f:
                f.truncate(scan.end)
        all_events = np.concatenate(events) if events else np.zeros(0, dtype=EVENT_DTYPE)
        report = RecoveryReport(str(snap) if snap else None, covered, len(events), scan.torn, all_events)
        return book, report
    finally:
        lock.release()


__all__ = ["JournalError", "JournaledBook", "RecoveryReport", "recover"]
