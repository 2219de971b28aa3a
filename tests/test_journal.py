"""Journal and recovery: a process killed with SIGKILL at random points comes back
in exactly the state an uninterrupted run reaches after the same records, with
the same events and sequence numbers; a torn last record is cut off and reported."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from engine import Action, Book, Feed, LockCrossMode, OrderType, ProtectedBook, Side, TimeInForce
from engine._core import load_snapshot
from engine.journal import JournaledBook, JournalError, recover
from support.child_process import child_env
from support.journal_flow import VENUES, inputs

HERE = Path(__file__).resolve().parent


def uninterrupted(records: int):
    """A fresh book fed the first `records` inputs, and the events of each."""
    book = ProtectedBook("J", venues=VENUES)
    per_record = []
    for kind, payload in inputs():
        if len(per_record) == records:
            break
        if kind == "execute":
            per_record.append(book.execute(payload))
        elif kind == "update_quotes":
            per_record.append(book.update_quotes(payload))
        else:
            class Shim:  # apply a control input straight to the book
                def declare_self_help(self, v, ts=None, end=None):
                    book.declare_self_help(v, ts=ts, end=end)

                def end_regular_hours(self, ts=None):
                    book.end_regular_hours(ts=ts)

                def start_regular_hours(self, ts=None):
                    book.start_regular_hours(ts=ts)

            payload(Shim())
            per_record.append(book.take_events())
    return book, per_record


def state(book):
    return (book.orders().tobytes(), book.last_sequence, book.last_timestamp, book.protected_bbo(),
            tuple(book.quote(v) for v in VENUES), book.in_regular_hours)


@pytest.mark.parametrize("run", range(3))
def test_recovery_after_sigkill_matches_an_uninterrupted_run(tmp_path, run):
    """The kill lands mid-run by construction (issue 9, item 30): the child journals
    an endless flow, and the parent kills it once the journal has grown past a
    size chosen at random, wherever the child then is (often inside a write).
    Nothing depends on how fast this machine is or how loaded."""
    rng = random.Random(run)
    target = rng.randrange(20_000, 600_000)  # bytes of journal before the kill
    child = subprocess.Popen([sys.executable, "-m", "support.journal_child", str(tmp_path)],
                             stdout=subprocess.PIPE, env=child_env())
    assert child.stdout.readline().split() == [b"ready"]
    journal = tmp_path / "journal.bin"
    while journal.stat().st_size < target:
        assert child.poll() is None, "the child journals until it is killed"
        time.sleep(0.001)
    child.send_signal(signal.SIGKILL)
    child.wait()
    book, report = recover(tmp_path, lambda: ProtectedBook("J", venues=VENUES), venues=VENUES)
    records = report.snapshot_records + report.replayed
    assert records > target // 1_000, "at least the records of the target size were recovered"
    reference, events = uninterrupted(records)
    assert state(book) == state(reference)
    # the replayed records' events, sequence numbers included, are the uninterrupted run's
    want = np.concatenate(events[report.snapshot_records:]) if report.replayed else events[0][:0]
    assert report.events.tobytes() == want.tobytes()
    assert book.check_integrity() is None
    # the journal was left whole: a second recovery finds nothing torn and the same state
    again, report2 = recover(tmp_path, lambda: ProtectedBook("J", venues=VENUES), venues=VENUES)
    assert report2.truncated_bytes == 0 and state(again) == state(book)


def test_journaled_inputs_are_checked_and_defaulted_as_the_book_does(tmp_path):
    jb = JournaledBook(tmp_path, ProtectedBook("J", venues=["X", "Y"]))
    size = (tmp_path / "journal.bin").stat().st_size
    with pytest.raises(TypeError, match="price"):
        jb.submit(1, Side.BUY, 100.5, 100, ts=1)  # not silently truncated to 100
    with pytest.raises(ValueError, match="venue='NOPE'"):
        jb.update_quote("NOPE", 100_400, 100, 100_600, 100, ts=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        jb.submit(1, Side.BUY, 100_500, 100, ts=1, colour=3)
    assert jb.records == 0 and (tmp_path / "journal.bin").stat().st_size == size  # nothing journaled
    plain = ProtectedBook("J", venues=["X", "Y"])
    plain.update_quote("Y", 100_400, 100, 100_600, 100, ts=1, condition="B", feed=Feed.CQS)
    plain.submit(1, Side.SELL, 100_600, 300, ts=2, display_quantity=100, participant=4)
    plain.submit(2, Side.BUY, 0, 50, ts=3, order_type=OrderType.MARKET)  # defaults to IOC
    want = plain.take_events()
    got = [jb.update_quote("Y", 100_400, 100, 100_600, 100, ts=1, condition="B", feed=Feed.CQS),
           jb.submit(1, Side.SELL, 100_600, 300, ts=2, display_quantity=100, participant=4),
           jb.submit(2, Side.BUY, 0, 50, ts=3, order_type=OrderType.MARKET)]
    assert np.concatenate(got).tobytes() == want.tobytes() and jb.records == 3
    c = plain.order_record(2, Side.BUY, 0, 50, order_type=OrderType.MARKET)
    assert (int(c["action"][0]), int(c["tif"][0]), int(c["ts"][0])) == (Action.NEW, TimeInForce.IOC, 3)


def test_a_torn_last_record_is_cut_off_and_reported(tmp_path):
    jb = JournaledBook(tmp_path, Book("T"), snapshot_every=10**9)
    jb.submit(1, Side.BUY, 100_500, 100, ts=1)
    jb.submit(2, Side.SELL, 100_700, 50, ts=2)
    jb.close()
    path = tmp_path / "journal.bin"
    whole = path.stat().st_size
    with open(path, "ab") as f:  # a third record, half written
        f.write(b"\x40\x00\x00\x00\x01" + b"\x00" * 20)
    book, report = recover(tmp_path, lambda: Book("T"))
    assert report.truncated_bytes == 25 and report.replayed == 2 and report.snapshot_records == 0
    assert path.stat().st_size == whole
    assert [int(o["order_id"]) for o in book.orders()] == [1, 2]
    # a record whose checksum fails is torn too
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    book, report = recover(tmp_path, lambda: Book("T"))
    assert report.replayed == 1 and report.truncated_bytes > 0


def test_a_journal_with_a_torn_record_is_not_appended_to_before_recovery(tmp_path):
    jb = JournaledBook(tmp_path, Book("T"))
    jb.submit(1, Side.BUY, 100_500, 100, ts=1)
    jb.close()
    path = tmp_path / "journal.bin"
    whole = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b"\x40\x00\x00")  # a record cut short by a crash
    with pytest.raises(JournalError, match=rf"journal\.bin: a torn record at byte {whole}: run recover\(\)"):
        JournaledBook(tmp_path, Book("T"))
    assert path.stat().st_size == whole + 3  # refused without touching the file
    recover(tmp_path, lambda: Book("T"))
    with JournaledBook(tmp_path, Book("T")) as again:
        assert again.records == 1


def test_snapshots_are_used_and_a_broken_one_is_skipped(tmp_path):
    jb = JournaledBook(tmp_path, Book("T"), snapshot_every=3)
    for i in range(1, 11):
        jb.submit(i, Side.BUY, 100_000 + i * 100, 10, ts=i)
    jb.close()
    snaps = sorted(tmp_path.glob("snapshot-*.bin"))
    assert len(snaps) == 4 and snaps[0].name == "snapshot-0000000000000000.bin"  # the book as handed over
    book, report = recover(tmp_path, lambda: Book("T"))
    assert report.snapshot == str(snaps[-1]) and report.snapshot_records == 9 and report.replayed == 1
    assert len(book) == 10
    snaps[-1].write_bytes(snaps[-1].read_bytes()[:-10])  # a snapshot cut short: the one before is used
    book, report = recover(tmp_path, lambda: Book("T"))
    assert report.snapshot == str(snaps[-2]) and report.replayed == 4 and len(book) == 10


def test_snapshot_round_trip_and_bad_bytes():
    b = ProtectedBook("S", venues=["X"])
    b.update_quote("X", 0, 0, 100_500, 100, ts=1)
    b.submit(1, Side.BUY, 100_700, 100, ts=2)  # slid
    snap = b.save_snapshot()
    r = load_snapshot(snap, "S", venues=["X"])
    assert isinstance(r, ProtectedBook) and r.orders().tobytes() == b.orders().tobytes()
    assert r.order(1).repriced and r.venues == ("X",)
    with pytest.raises(ValueError, match="not an engine snapshot"):
        load_snapshot(b"x" * 40)
    with pytest.raises(ValueError, match="snapshot"):
        load_snapshot(snap[:-5])
    with pytest.raises(JournalError, match="no journal"):
        recover("/nonexistent-dir", lambda: Book("T"))


# ------------------------------------------------------------ issue 9, items 10-16
def five_records(tmp_path):
    jb = JournaledBook(tmp_path, Book("T"), snapshot_every=10**9)
    starts = []
    for i in range(1, 6):
        starts.append((tmp_path / "journal.bin").stat().st_size)
        jb.submit(i, Side.BUY, 100_000 + 100 * i, 10, ts=i)
    jb.close()
    return starts


@pytest.mark.parametrize("where", ["payload", "length"])
def test_damage_in_the_middle_is_corruption_not_a_torn_tail(tmp_path, where):
    """Item 10: a bit flip in the middle of journal.bin was taken for a torn last
    record, and recovery silently cut off every later record. Damage followed by
    whole records raises JournalError naming the byte; nothing is truncated."""
    starts = five_records(tmp_path)
    path = tmp_path / "journal.bin"
    data = bytearray(path.read_bytes())
    data[starts[1] + (20 if where == "payload" else 1)] ^= 0x40  # inside record 2
    path.write_bytes(bytes(data))
    with pytest.raises(JournalError, match=rf"the record at byte {starts[1]} is damaged but a whole record follows"):
        recover(tmp_path, lambda: Book("T"))
    assert path.read_bytes() == bytes(data)  # nothing cut off
    with pytest.raises(JournalError, match=rf"byte {starts[1]}"):
        JournaledBook(tmp_path, Book("T"))


def test_refusals_that_raise_leave_nothing_in_the_journal(tmp_path):
    """Item 11: inputs were journaled before the book raised (a 2-D array, a
    session on a plain Book, a batch while another thread held the book), so
    recovery invented orders or failed for ever."""
    import threading

    jb = JournaledBook(tmp_path, Book("T"))
    path = tmp_path / "journal.bin"
    size = path.stat().st_size
    c = jb.book.order_record(1, Side.BUY, 100_000, 10, ts=1)
    with pytest.raises(ValueError, match="one-dimensional"):
        jb.execute(np.concatenate([c, c]).reshape(1, 2))
    with pytest.raises(TypeError, match="need a ProtectedBook"):
        jb.start_regular_hours(ts=1)
    with pytest.raises(TypeError, match="commands must have dtype"):
        jb.execute(np.zeros(2))
    held, release = threading.Event(), threading.Event()

    def hold():
        with jb.book.hold():
            held.set()
            release.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    try:
        with pytest.raises(RuntimeError, match="in use by another thread"):
            jb.execute(c)
    finally:
        release.set()
        holder.join()
    assert jb.records == 0 and path.stat().st_size == size
    jb.execute(c)
    jb.close()
    book, report = recover(tmp_path, lambda: Book("T"))
    assert report.replayed == 1 and [int(o["order_id"]) for o in book.orders()] == [1]


def test_a_failed_write_never_reaches_the_file_later(tmp_path, monkeypatch):
    """Item 12: after ENOSPC, Python's file buffer kept the failed record and wrote
    it with the next one; recovery then held an order the caller was told had
    failed. A failed write is cut back to the last whole record at once."""
    import engine.journal as journal_mod

    jb = JournaledBook(tmp_path, ProtectedBook("T", venues=["X"]), snapshot_every=10**9)
    jb.submit(1, Side.BUY, 100_000, 10, ts=1)
    path = tmp_path / "journal.bin"
    size = path.stat().st_size
    real_write = os.write

    def full_disk(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))  # half lands, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_mod.os, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        jb.submit(2, Side.BUY, 100_100, 10, ts=2)
    monkeypatch.setattr(journal_mod.os, "write", real_write)
    assert path.stat().st_size == size and 2 not in jb.book and jb.records == 1
    jb.submit(3, Side.BUY, 100_200, 10, ts=3)  # space again
    jb.close()
    book, _ = recover(tmp_path, lambda: ProtectedBook("T", venues=["X"]), venues=["X"])
    assert [int(o["order_id"]) for o in book.orders()] == [3, 1]


def test_a_full_disk_for_real(tmp_path):
    """Item 12 with the kernel's own refusal: a file-size limit (RLIMIT_FSIZE) makes
    write() fail with EFBIG part way, as a full disk does; the limit is then lifted."""
    script = f"""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
from engine import Side, ProtectedBook
from engine.journal import JournaledBook
jb = JournaledBook({str(tmp_path)!r}, ProtectedBook("T", venues=["X"]), snapshot_every=10**9)
size = ({str(tmp_path)!r} + "/journal.bin")
import os
limit = os.path.getsize(size) + 300
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
ok = failed = 0
for i in range(1, 6):
    try:
        jb.submit(i, Side.BUY, 100_000 + 100 * i, 10, ts=i)
        ok += 1
    except OSError:
        failed += 1
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
jb.submit(9, Side.BUY, 99_000, 10, ts=9)
print(ok, failed, len(jb.book))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    ok, failed, live = map(int, out.stdout.split())
    assert ok >= 1 and failed >= 1 and live == ok + 1
    book, report = recover(tmp_path, lambda: ProtectedBook("T", venues=["X"]), venues=["X"])
    assert len(book) == live and report.truncated_bytes == 0


def test_one_writer_per_folder(tmp_path):
    """Item 13: two JournaledBooks on one folder interleaved their records."""
    first = JournaledBook(tmp_path, Book("T"))
    with pytest.raises(JournalError, match="open in another JournaledBook or recovery"):
        JournaledBook(tmp_path, Book("T"))
    with pytest.raises(JournalError, match="open in another"):
        recover(tmp_path, lambda: Book("T"))
    first.close()
    with JournaledBook(tmp_path, Book("T")) as second:
        second.submit(1, Side.BUY, 100_000, 10, ts=1)
    assert len(recover(tmp_path, lambda: Book("T"))[0]) == 1


def test_configuration_is_journaled(tmp_path):
    """Item 14: configure and set_fee_schedule were not journaled, so recovery
    without a later snapshot lost them. Settings made before journaling began
    come back from the snapshot a new journal starts with."""
    def make():
        return ProtectedBook("C", venues=["X", "Y"])

    before = make()
    before.configure(subpenny_exemption=False)  # before the journal exists
    jb = JournaledBook(tmp_path, before, snapshot_every=10**9)
    jb.configure(flicker_window_ns=250_000_000, default_lock_cross=LockCrossMode.PRICE_ADJUST)
    jb.set_fee_schedule(take_fee_nd=2_500_000, make_rebate_nd=-1_000_000)
    with pytest.raises(ValueError, match="default_lock_cross"):
        jb.configure(rule611=False, default_lock_cross=9)
    jb.update_quote("Y", 0, 0, 100_500, 100, ts=1)
    jb.submit(1, Side.BUY, 100_700, 100, ts=2)  # adjusted, by the journaled default
    jb.close()
    book, report = recover(tmp_path, make, venues=["X", "Y"])
    assert report.replayed == 4  # the refused configure is not among them
    assert book.config == jb.book.config and book.fee_schedule == jb.book.fee_schedule
    assert book.config["subpenny_exemption"] is False and book.config["flicker_window_ns"] == 250_000_000
    assert book.orders().tobytes() == jb.book.orders().tobytes()


@pytest.mark.parametrize("call, exc, name", [
    (lambda jb: jb.cancel(1.9), TypeError, "order_id"), (lambda jb: jb.cancel("2"), TypeError, "order_id"),
    (lambda jb: jb.reduce(1, 2.5), TypeError, "quantity"), (lambda jb: jb.replace(1, 100_000.0, 5), TypeError, "price"),
    (lambda jb: jb.replace(1, 100_000, 5, new_order_id=-1), OverflowError, "new_order_id"),
    (lambda jb: jb.expire(tif=300), OverflowError, "tif"), (lambda jb: jb.cancel(1, ts=1.5), TypeError, "ts"),
    (lambda jb: jb.declare_self_help("X", start=1.5), TypeError, "start"),
    (lambda jb: jb.revoke_self_help("Q"), ValueError, "venue"),
])
def test_journaled_operations_check_their_arguments_as_the_book_does(tmp_path, call, exc, name):
    """Item 15: cancel(1.9) cancelled order 1 and cancel('2') order 2; now each goes
    through the book's own checks and nothing is journaled."""
    jb = JournaledBook(tmp_path, ProtectedBook("T", venues=["X"]))
    jb.submit(1, Side.BUY, 100_000, 10, ts=1)
    jb.submit(2, Side.BUY, 99_900, 10, ts=1)
    size = (tmp_path / "journal.bin").stat().st_size
    with pytest.raises(exc, match=name):
        call(jb)
    assert jb.records == 2 and (tmp_path / "journal.bin").stat().st_size == size and len(jb.book) == 2


@pytest.mark.parametrize("content", [b"", b"ENGJ"])
def test_an_empty_or_headless_journal_means_the_same_to_writer_and_recovery(tmp_path, content):
    """Item 16: a 0-byte journal.bin was opened as new by JournaledBook but refused
    by recover(). Both now read it (or the first bytes of a header, torn while
    the journal was created) as a journal with no records."""
    path = tmp_path / "journal.bin"
    path.write_bytes(content)
    book, report = recover(tmp_path, lambda: Book("T"))
    assert (len(book), report.replayed, report.truncated_bytes) == (0, 0, len(content))
    assert path.stat().st_size == 0
    path.write_bytes(content)
    with JournaledBook(tmp_path, Book("T")) as jb:
        jb.submit(1, Side.BUY, 100_000, 10, ts=1)
    assert len(recover(tmp_path, lambda: Book("T"))[0]) == 1
