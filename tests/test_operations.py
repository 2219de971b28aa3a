"""Cancel, reduce (keeps priority) and replace (keeps or loses priority)."""
from engine import EventFlag, Liquidity, Reason, Side
from engine import EventType as T
from support.observe import Ev, full_state, take

BUY, SELL = Side.BUY, Side.SELL
KEPT = EventFlag.PRIORITY_KEPT


def queue(book):
    return [(r["order_id"], r["price"], r["leaves"]) for r in book.orders()]


def test_cancel_removes_the_order_and_its_empty_level(book, px):
    p = px["base"]
    book.submit(1, BUY, p, 100)
    book.take_events()
    assert book.cancel(1, ts=7) == 1
    assert take(book) == [Ev(T.CANCELLED, 1, BUY, p, 100, 0, reason=Reason.USER_CANCEL, ts=7)]
    assert len(book) == 0 and book.bid_levels == 0
    book.cancel(1)
    assert take(book) == [Ev(T.REJECTED, 1, reason=Reason.UNKNOWN_ORDER_ID, ts=7)]


def test_cancel_a_partly_filled_order_reports_what_was_left(book):
    book.submit(1, SELL, 100500, 100)
    book.submit(2, BUY, 100500, 30)
    book.take_events()
    book.cancel(1)
    assert take(book)[0].quantity == 70


def test_reduce_keeps_time_priority(book, px):
    p = px["base"]
    book.submit(1, SELL, p, 300)
    book.submit(2, SELL, p, 100)
    book.take_events()
    book.reduce(1, 200, ts=3)
    assert take(book) == [Ev(T.REDUCED, 1, SELL, p, 200, 100, reason=Reason.USER_CANCEL, flags=KEPT, ts=3)]
    assert queue(book) == [(1, p, 100), (2, p, 100)]
    assert book.best_ask() == (p, 200)


def test_reduce_by_everything_left_cancels(book):
    book.submit(1, SELL, 100500, 300)
    book.take_events()
    book.reduce(1, 300)
    assert take(book) == [Ev(T.CANCELLED, 1, SELL, 100500, 300, 0, reason=Reason.USER_CANCEL)]
    assert len(book) == 0


def test_reduce_bad_quantities_are_rejected(book):
    book.submit(1, SELL, 100500, 300)
    book.take_events()
    before = full_state(book)
    book.reduce(1, 301)
    book.reduce(1, 0)
    book.reduce(1, -5)
    book.reduce(2, 10)
    assert [e.reason for e in take(book)] == [
        Reason.QUANTITY_EXCEEDS_LEAVES, Reason.INVALID_QUANTITY, Reason.INVALID_QUANTITY, Reason.UNKNOWN_ORDER_ID]
    assert full_state(book) == before


def test_reduce_takes_from_the_reserve_first(book):
    book.submit(1, SELL, 100500, 1000, display_quantity=100)
    book.reduce(1, 850)
    o = book.order(1)
    assert (o.displayed, o.reserve) == (100, 50)
    book.reduce(1, 100)
    o = book.order(1)
    assert (o.displayed, o.reserve) == (50, 0)


def test_replace_down_in_size_keeps_priority(book, px):
    p = px["base"]
    book.submit(1, BUY, p, 300)
    book.submit(2, BUY, p, 100)
    book.take_events()
    book.replace(1, p, 200)
    assert take(book) == [Ev(T.REPLACED, 1, BUY, p, 200, 200, contra_id=1, flags=KEPT)]
    assert queue(book) == [(1, p, 200), (2, p, 100)]


def test_replace_up_in_size_loses_priority(book, px):
    p = px["base"]
    book.submit(1, BUY, p, 100, ts=1)
    book.submit(2, BUY, p, 100, ts=2)
    book.take_events()
    book.replace(1, p, 150, ts=3)
    assert take(book) == [Ev(T.REPLACED, 1, BUY, p, 150, 150, contra_id=1, ts=3)]
    assert queue(book) == [(2, p, 100), (1, p, 150)]
    assert book.order(1).ts == 3


def test_replace_price_change_loses_priority_and_can_rename(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, BUY, p, 100)
    book.submit(2, BUY, p - t, 100)
    book.take_events()
    book.replace(1, p - t, 100, new_order_id=11)
    assert take(book) == [Ev(T.REPLACED, 1, BUY, p - t, 100, 100, contra_id=11)]
    assert queue(book) == [(2, p - t, 100), (11, p - t, 100)]
    assert 1 not in book and 11 in book


def test_replace_same_price_and_size_with_new_id_keeps_priority(book):
    book.submit(1, BUY, 100500, 100)
    book.submit(2, BUY, 100500, 100)
    book.take_events()
    book.replace(1, 100500, 100, new_order_id=5)
    assert take(book)[0].flags == KEPT
    assert queue(book) == [(5, 100500, 100), (2, 100500, 100)]


def test_marketable_replace_executes_and_rests_the_rest(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, SELL, p, 100)
    book.submit(2, BUY, p - t, 300)
    book.take_events()
    book.replace(2, p, 300, new_order_id=3)
    assert take(book) == [
        Ev(T.REPLACED, 2, BUY, p, 300, 300, contra_id=3),
        Ev(T.FILL, 3, BUY, p, 100, 200, contra_id=1, liquidity=Liquidity.MAKER_DISPLAYED),
    ]
    o = book.order(3)
    assert (o.price, o.leaves, o.filled) == (p, 200, 100)


def test_replace_keeps_reserve_and_hidden_attributes(book):
    book.submit(1, SELL, 100500, 1000, display_quantity=100)
    book.submit(2, SELL, 100600, 100, hidden=True)
    book.replace(1, 100700, 500)
    book.replace(2, 100800, 200)
    a, b = book.order(1), book.order(2)
    assert (a.displayed, a.reserve, a.display_quantity) == (100, 400, 100)
    assert (b.hidden, b.displayed, b.leaves) == (True, 0, 200)


def test_replace_rejects_leave_the_order_alone(book):
    book.submit(1, BUY, 100500, 100)
    book.submit(2, BUY, 100400, 100)
    book.take_events()
    before = full_state(book)
    book.replace(1, 100500, 100, new_order_id=2)
    book.replace(1, 100550, 100)
    book.replace(1, 100500, 0)
    book.replace(1, 0, 100)
    book.replace(9, 100500, 100)
    assert [e.reason for e in take(book)] == [
        Reason.DUPLICATE_ORDER_ID, Reason.PRICE_NOT_ON_TICK, Reason.INVALID_QUANTITY, Reason.INVALID_PRICE,
        Reason.UNKNOWN_ORDER_ID]
    assert full_state(book) == before


def test_order_ids_are_reusable_after_the_order_is_gone(book):
    book.submit(1, BUY, 100500, 100)
    book.cancel(1)
    book.submit(1, BUY, 100400, 100)
    assert [e.type for e in take(book)] == [T.ACCEPTED, T.CANCELLED, T.ACCEPTED]


def test_reserve_presizes_without_changing_behaviour():
    from engine import Book

    book = Book("R")
    empty = book.memory_bytes
    assert empty < 4096  # a few kilobytes at most for an empty book (DESIGN.md)
    book.reserve(10_000)
    assert book.memory_bytes > 10_000 * 64
    assert len(book) == 0 and book.pending_events == 0 and book.last_sequence == 0
    for i in range(1, 2_001):
        book.submit(i, BUY if i % 2 else SELL, 100_000 - (i % 50) * 100 if i % 2 else 101_000 + (i % 50) * 100, 100)
    assert len(book) == 2_000 and book.check_integrity() is None
    import pytest

    with pytest.raises(ValueError, match="orders"):
        book.reserve(-1)


def test_filled_counts_past_2_to_the_32():
    """Issue 9, item 21: `filled` was 32-bit, and a replace carries it over, so an
    order refilled by replaces wrapped after 4,294,967,295 shares."""
    from engine import MAX_QUANTITY, Book, Side, TimeInForce

    b = Book("F")
    b.submit(1, Side.SELL, 100_000, MAX_QUANTITY, ts=0)
    for k in range(5):
        b.submit(100 + k, Side.BUY, 100_000, MAX_QUANTITY - 1, tif=TimeInForce.IOC, ts=2 * k + 1)
        b.replace(1, 100_000, MAX_QUANTITY, ts=2 * k + 2)  # back to full size: re-entered, filled carried
    b.take_events()
    assert b.order(1).filled == 5 * (MAX_QUANTITY - 1) > 2**32
    assert int(b.orders()["filled"][0]) == 5 * (MAX_QUANTITY - 1)
    assert b.check_integrity() is None
