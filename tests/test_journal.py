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

from engine import Action, Book, Feed, OrderType, ProtectedBook, Side, TimeInForce
from engine._core import load_snapshot
from engine.journal import JournaledBook, JournalError, recover
from journal_flow import VENUES, inputs

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
    rng = random.Random(run)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, str(HERE / "journal_child.py"), str(tmp_path)],
                             stdout=subprocess.PIPE, env=env)
    ready, total = child.stdout.readline().split()
    assert ready == b"ready"
    time.sleep(rng.uniform(0.05, 0.6))
    child.send_signal(signal.SIGKILL)
    child.wait()
    book, report = recover(tmp_path, lambda: ProtectedBook("J", venues=VENUES), venues=VENUES)
    records = report.snapshot_records + report.replayed
    assert 0 < records < int(total), "the kill must land while the child is journaling"
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
    assert report.truncated_bytes == 25 and report.replayed == 2 and report.snapshot is None
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
    assert len(snaps) == 3
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
