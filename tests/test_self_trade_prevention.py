"""Self-trade prevention by participant id: the incoming order's mode decides."""
from engine import EventFlag, Liquidity, Reason, Side, StpMode
from engine import EventType as T
from support.observe import Ev, take

BUY, SELL = Side.BUY, Side.SELL


def setup_book(book, p):
    book.submit(1, SELL, p, 100, participant=7)  # own order first in the queue
    book.submit(2, SELL, p, 100, participant=8)
    book.take_events()


def test_cancel_newest(book, px):
    p = px["base"]
    setup_book(book, p)
    book.submit(3, BUY, p, 150, participant=7, stp=StpMode.CANCEL_NEWEST)
    assert take(book) == [
        Ev(T.ACCEPTED, 3, BUY, p, 150, 150),
        Ev(T.CANCELLED, 3, BUY, p, 150, 0, reason=Reason.STP_CANCEL_NEWEST),
    ]
    assert len(book) == 2


def test_cancel_oldest_then_keeps_matching(book, px):
    p = px["base"]
    setup_book(book, p)
    book.submit(3, BUY, p, 150, participant=7, stp=StpMode.CANCEL_OLDEST)
    assert take(book) == [
        Ev(T.ACCEPTED, 3, BUY, p, 150, 150),
        Ev(T.CANCELLED, 1, SELL, p, 100, 0, reason=Reason.STP_CANCEL_OLDEST),
        Ev(T.FILL, 3, BUY, p, 100, 50, contra_id=2, liquidity=Liquidity.MAKER_DISPLAYED),
    ]
    assert [r["order_id"] for r in book.orders()] == [3]  # the rest of 3 rests
    assert book.order(3).leaves == 50


def test_cancel_both(book, px):
    p = px["base"]
    setup_book(book, p)
    book.submit(3, BUY, p, 150, participant=7, stp=StpMode.CANCEL_BOTH)
    assert take(book) == [
        Ev(T.ACCEPTED, 3, BUY, p, 150, 150),
        Ev(T.CANCELLED, 1, SELL, p, 100, 0, reason=Reason.STP_CANCEL_BOTH),
        Ev(T.CANCELLED, 3, BUY, p, 150, 0, reason=Reason.STP_CANCEL_BOTH),
    ]
    assert [r["order_id"] for r in book.orders()] == [2]


def test_decrement_smaller_incoming(book, px):
    p = px["base"]
    setup_book(book, p)
    book.submit(3, BUY, p, 60, participant=7, stp=StpMode.DECREMENT)
    assert take(book) == [
        Ev(T.ACCEPTED, 3, BUY, p, 60, 60),
        Ev(T.REDUCED, 1, SELL, p, 60, 40, reason=Reason.STP_DECREMENT, flags=EventFlag.PRIORITY_KEPT),
        Ev(T.CANCELLED, 3, BUY, p, 60, 0, reason=Reason.STP_DECREMENT),
    ]
    assert [(r["order_id"], r["leaves"]) for r in book.orders()] == [(1, 40), (2, 100)]


def test_decrement_larger_incoming_then_trades_on(book, px):
    p = px["base"]
    setup_book(book, p)
    book.submit(3, BUY, p, 150, participant=7, stp=StpMode.DECREMENT)
    assert take(book) == [
        Ev(T.ACCEPTED, 3, BUY, p, 150, 150),
        Ev(T.CANCELLED, 1, SELL, p, 100, 0, reason=Reason.STP_DECREMENT),
        Ev(T.REDUCED, 3, BUY, p, 100, 50, reason=Reason.STP_DECREMENT),
        Ev(T.FILL, 3, BUY, p, 50, 0, contra_id=2, contra_leaves=50, liquidity=Liquidity.MAKER_DISPLAYED),
    ]


def test_no_prevention_without_a_mode_or_participant(book, px):
    p = px["base"]
    setup_book(book, p)
    book.submit(3, BUY, p, 50, participant=7)  # no STP mode: a self-trade is allowed
    book.submit(4, BUY, p, 50, participant=0, stp=StpMode.CANCEL_NEWEST)  # participant 0 never self-matches
    fills = [(e.order_id, e.contra_id) for e in take(book) if e.type == T.FILL]
    assert fills == [(3, 1), (4, 1)]


def test_self_trade_prevention_on_a_deeper_level(book):
    book.submit(1, SELL, 100500, 100, participant=8)
    book.submit(2, SELL, 100600, 100, participant=7)
    book.take_events()
    book.submit(3, BUY, 100600, 200, participant=7, stp=StpMode.CANCEL_OLDEST)
    evs = take(book)
    assert [(e.type, e.order_id, e.contra_id) for e in evs] == [
        (T.ACCEPTED, 3, 0), (T.FILL, 3, 1), (T.CANCELLED, 2, 0)]
    assert book.order(3).leaves == 100 and book.ask_levels == 0
