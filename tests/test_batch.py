"""Batch calls over numpy structured arrays."""
import numpy as np
import pytest

from engine import EVENT_DTYPE, Action, Book, Reason, Side, new_commands
from engine import EventType as T
from support.observe import as_evs, state, take


def command_rows(rows):
    a = new_commands(len(rows))
    for i, r in enumerate(rows):
        for k, v in {"tif": 1, "order_type": 1, **r}.items():
            a[i][k] = v
    return a


FLOW = [
    {"action": Action.NEW, "ts": 1, "order_id": 1, "side": Side.SELL, "price": 100500, "quantity": 300},
    {"action": Action.NEW, "ts": 2, "order_id": 2, "side": Side.SELL, "price": 100550, "quantity": 100},  # off tick
    {"action": Action.NEW, "ts": 3, "order_id": 3, "side": Side.BUY, "price": 100500, "quantity": 100},
    {"action": 9, "ts": 4, "order_id": 4},  # unknown action
    {"action": Action.NEW, "ts": 4, "order_id": 5, "side": Side.BUY, "price": 100400, "quantity": 100, "flags": 1 << 7},
    {"action": Action.NEW, "ts": 4, "order_id": 6, "side": Side.BUY, "price": 100400, "quantity": 100, "reserved": 1},
    {"action": Action.REPLACE, "ts": 5, "order_id": 1, "price": 100600, "quantity": 50, "new_order_id": 7},
    {"action": Action.REDUCE, "ts": 6, "order_id": 7, "quantity": 20},
    {"action": Action.CANCEL, "ts": 7, "order_id": 42},
    {"action": Action.NEW, "ts": 8, "order_id": 8, "side": Side.BUY, "price": 100300, "quantity": 10, "tif": 1},
    {"action": Action.EXPIRE, "ts": 9, "tif": 1},
]


def test_batch_runs_in_order_and_bad_records_do_not_stop_it():
    book = Book("B")
    ev = book.execute(command_rows(FLOW))
    assert ev.dtype == EVENT_DTYPE
    assert ev.flags["OWNDATA"] is False and ev.base is not None  # no copy: the array owns the C++ block
    got = [(e.type, e.order_id, e.reason) for e in as_evs(ev)]
    assert got == [
        (T.ACCEPTED, 1, 0),
        (T.REJECTED, 2, Reason.PRICE_NOT_ON_TICK),
        (T.ACCEPTED, 3, 0),
        (T.FILL, 3, 0),
        (T.REJECTED, 4, Reason.INVALID_ACTION),
        (T.REJECTED, 5, Reason.INVALID_FLAGS),
        (T.REJECTED, 6, Reason.INVALID_FLAGS),
        (T.REPLACED, 1, 0),
        (T.REDUCED, 7, Reason.USER_CANCEL),
        (T.REJECTED, 42, Reason.UNKNOWN_ORDER_ID),
        (T.ACCEPTED, 8, 0),
        (T.EXPIRED, 8, Reason.END_OF_DAY),
        (T.EXPIRED, 7, Reason.END_OF_DAY),
    ]
    assert ev["seq"].tolist() == list(range(1, 14))
    assert ev["ts"].tolist() == [1, 2, 3, 3, 4, 4, 4, 5, 6, 7, 8, 9, 9]
    assert len(book) == 0


def test_batch_matches_per_order_calls():
    rows = command_rows(FLOW)
    a, b = Book("A"), Book("B")
    ev_batch = a.execute(rows)
    singles = [b.execute(rows[i : i + 1]) for i in range(len(rows))]  # one record per call
    ev_single = np.concatenate(singles)
    assert ev_batch.tobytes() == ev_single.tobytes()
    assert state(a) == state(b)


def test_batch_returns_events_pending_from_earlier_calls_first():
    book = Book("B")
    book.submit(1, Side.BUY, 100500, 100, ts=0)
    ev = book.execute(command_rows([{"action": Action.CANCEL, "ts": 1, "order_id": 1}]))
    assert [e.type for e in as_evs(ev)] == [T.ACCEPTED, T.CANCELLED]
    assert book.pending_events == 0


def test_empty_batch():
    ev = Book("B").execute(new_commands(0))
    assert ev.size == 0 and ev.dtype == EVENT_DTYPE


def test_batch_argument_errors_name_the_argument():
    book = Book("B")
    with pytest.raises(TypeError, match="commands"):
        book.execute([1, 2, 3])
    with pytest.raises(TypeError, match="commands must have dtype"):
        book.execute(np.zeros(3, dtype=np.int64))
    with pytest.raises(TypeError, match="commands must have dtype"):
        book.execute(np.zeros(3, dtype=[("ts", "<i8"), ("order_id", "<u8")]))
    with pytest.raises(ValueError, match="C-contiguous"):
        book.execute(new_commands(6)[::2])
    with pytest.raises(ValueError, match="one-dimensional"):
        book.execute(new_commands(4).reshape(2, 2))
    with pytest.raises(TypeError, match="commands"):
        book.execute(None)
    assert book.last_sequence == 0


def test_events_outlive_the_book():
    book = Book("B")
    book.submit(1, Side.BUY, 100500, 100)
    ev = book.take_events()
    del book
    assert ev["order_id"].tolist() == [1]


def test_clear_events_discards_pending():
    book = Book("B")
    book.submit(1, Side.BUY, 100500, 100)
    book.clear_events()
    assert book.pending_events == 0 and take(book) == []
    assert book.last_sequence == 1  # sequence numbers are never reused
