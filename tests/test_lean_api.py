"""The lean per-call API (issue 11): Book.add and Book.ioc are submit's fast
paths for the commonest calls, with exactly submit's behaviour; FeedBook
applies a venue's own messages one call at a time, as BookBuilder does in a batch."""
from __future__ import annotations

import numpy as np
import pytest

from engine import Book, FeedBook, FeedKind, ProtectedBook, Reason, Side, TimeInForce
from engine import EventType as T
from engine._core import BookBuilder, ItchDecoder, generate_itch
from engine.journal import JournaledBook, recover
from support.observe import full_state


def twins(kind):
    if kind == "plain":
        return Book("A"), Book("B")
    make = lambda s: ProtectedBook(s, venues=["X"])  # noqa: E731
    a, b = make("A"), make("B")
    for book in (a, b):
        book.update_quote("X", 100_300, 100, 100_600, 100, ts=1)
        book.clear_events()
    return a, b


@pytest.mark.parametrize("kind", ["plain", "protected"])
def test_add_and_ioc_do_exactly_what_submit_does(kind):
    fast, full = twins(kind)
    calls = [("add", 1, Side.SELL, 100_500, 300, 5), ("add", 2, Side.BUY, 100_400, 200, 6),
             ("ioc", 3, Side.BUY, 100_500, 100, 7), ("ioc", 4, Side.SELL, 100_300, 500, 8),  # 611 binds on protected
             ("add", 5, Side.BUY, 100_600, 100, 9),  # locks the away offer: slides on protected
             ("add", 1, Side.BUY, 100_200, 100, 10),  # a live id again
             ("add", 6, Side.BUY, 100_250, 100, 11),  # off the grid
             ("ioc", 7, Side.SELL, 100_500, 100, 3)]  # time runs backwards
    for name, oid, side, price, qty, ts in calls:
        n_fast = getattr(fast, name)(oid, side, price, qty, ts)
        tif = TimeInForce.IOC if name == "ioc" else TimeInForce.DAY
        n_full = full.submit(oid, side, price, qty, tif=tif, ts=ts)
        assert n_fast == n_full
    a, b = fast.take_events(), full.take_events()
    assert a.tobytes() == b.tobytes()
    assert full_state(fast) == full_state(full)
    reasons = a["reason"][a["type"] == T.REJECTED].tolist()
    assert reasons == [Reason.DUPLICATE_ORDER_ID, Reason.PRICE_NOT_ON_TICK, Reason.TIMESTAMP_REGRESSION]


def test_add_defaults_ts_to_the_books_clock():
    book = Book("T")
    book.add(1, Side.BUY, 100_000, 100, 50)
    book.add(2, Side.BUY, 100_000, 100)
    assert book.take_events()["ts"].tolist() == [50, 50]


@pytest.mark.parametrize("args, name, exc", [
    (("1", Side.BUY, 100_000, 100), "order_id", TypeError),
    ((-1, Side.BUY, 100_000, 100), "order_id", OverflowError),
    ((1, 256, 100_000, 100), "side", OverflowError),
    ((1, Side.BUY, 100_000.0, 100), "price", TypeError),
    ((1, Side.BUY, 100_000, 2**63), "quantity", OverflowError),
    ((1, Side.BUY, 100_000, 100, "now"), "ts", TypeError),
])
@pytest.mark.parametrize("method", ["add", "ioc"])
def test_bad_arguments_are_named_and_change_nothing(args, name, exc, method):
    book = Book("E")
    book.add(9, Side.SELL, 100_500, 100, 1)
    before = book.save_snapshot()
    with pytest.raises(exc, match=name):
        getattr(book, method)(*args)
    assert book.save_snapshot() == before


def test_journaled_add_and_ioc_are_recovered(tmp_path):
    jb = JournaledBook(tmp_path, Book("J"))
    jb.add(1, Side.SELL, 100_500, 300, 5)
    jb.ioc(2, Side.BUY, 100_500, 100, 6)
    jb.close()
    book, _ = recover(tmp_path, lambda: Book("J"))
    assert [(int(o["order_id"]), int(o["leaves"])) for o in book.orders()] == [(1, 200)]


# --------------------------------------------------------------------- FeedBook
def itch_records(messages=20_000, seed=3):
    recs, _ = ItchDecoder().decode(generate_itch(messages, 1, seed), True)
    return recs


def test_feed_book_per_call_builds_what_book_builder_builds_in_a_batch():
    recs = itch_records()
    builder = BookBuilder()
    builder.apply(recs)
    batch = builder.book(1)
    feed = FeedBook("S")
    for ts, oid, new_id, price, qty, _loc, kind, side, _code in recs.tolist():
        if kind == FeedKind.ADD:
            assert feed.add(oid, side, price, qty, ts)
        elif kind in (FeedKind.EXECUTE, FeedKind.EXECUTE_AT_PRICE):
            assert feed.execute(oid, qty) == qty
        elif kind == FeedKind.CANCEL:
            assert feed.cancel(oid, qty) == qty
        elif kind == FeedKind.DELETE:
            assert feed.delete(oid) > 0
        elif kind == FeedKind.REPLACE:
            assert feed.replace(oid, new_id, price, qty, ts)
    assert feed.book.orders().tobytes() == batch.orders().tobytes()
    assert feed.book.check_integrity() is None and len(feed) == len(batch) > 0


def test_feed_book_reports_what_each_call_did():
    f = FeedBook("F")
    assert f.add(1, Side.BUY, 100_000, 300, 10) is True
    assert f.add(1, Side.BUY, 100_000, 300) is False  # live id
    assert f.add(2, Side.BUY, 0, 300) is False  # unusable price
    assert f.execute(1, 100) == 100 and f.cancel(1, 50) == 50
    o = f.book.order(1)
    assert (o.leaves, o.filled, o.ts) == (150, 100, 10)  # a cancel is not a fill
    assert f.execute(1, 500) == 150 and 1 not in f  # over-execution takes what is left
    assert f.execute(1, 1) == -1 and f.cancel(7, 1) == -1 and f.delete(7) == -1
    assert f.replace(7, 8, 100_100, 100) is False
    assert f.add(3, Side.SELL, 100_200, 100) and f.replace(3, 4, 100_300, 200) and 4 in f and 3 not in f
    assert f.book.order(4).side == Side.SELL and f.book.top().ask_price == 100_300


@pytest.mark.parametrize("call, name", [
    (lambda f: f.add(1, Side.BUY, "x", 100), "price"),
    (lambda f: f.execute(-1, 100), "order_id"),
    (lambda f: f.cancel(1, 2**64), "quantity"),
    (lambda f: f.replace(1, None, 100, 100), "new_order_id"),
])
def test_feed_book_arguments_are_named(call, name):
    f = FeedBook("F")
    f.add(1, Side.BUY, 100_000, 100)
    with pytest.raises((TypeError, OverflowError), match=name):
        call(f)
    assert len(f) == 1 and f.book.order(1).leaves == 100


def test_feed_book_view_shares_its_guard():
    """The book view and the feed book are one C++ book: a thread holding the
    view keeps every other thread out of the feed book too."""
    import threading

    f = FeedBook("G")
    seen = []

    def other():
        try:
            f.add(1, Side.BUY, 100_000, 100)
        except RuntimeError as exc:
            seen.append(str(exc))

    with f.book.hold():
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert len(seen) == 1 and len(f) == 0
    assert f.add(1, Side.BUY, 100_000, 100) and len(f) == 1


def test_a_partial_cancel_is_not_counted_as_filled_in_book_building():
    """Found with FeedBook: BookBuilder counted a partial cancel (ITCH X, LOBSTER 2)
    in the order's filled shares, as if it had executed."""
    from engine import FEED_DTYPE

    m = np.zeros(3, dtype=FEED_DTYPE)
    m["kind"] = [FeedKind.ADD, FeedKind.CANCEL, FeedKind.EXECUTE]
    m["order_id"] = 1
    m["side"] = Side.BUY
    m["price"] = 100_000
    m["quantity"] = [300, 50, 100]
    m["ts"] = [1, 2, 3]
    builder = BookBuilder()
    builder.apply(m)
    o = builder.book(0).order(1)
    assert (o.leaves, o.filled) == (150, 100)
