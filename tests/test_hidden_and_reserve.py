"""Non-displayed (hidden) and reserve (iceberg) orders."""
import pytest

from engine import EventFlag, Liquidity, OrderType, Reason, Side
from engine import EventType as T
from support.observe import Ev, kinds, take

BUY, SELL = Side.BUY, Side.SELL


def test_hidden_order_rests_unseen(book, px):
    p = px["base"]
    book.submit(1, SELL, p, 100, hidden=True)
    assert book.top() == (None, 0, None, 0)
    assert book.depth(5)[1].size == 0
    assert book.ask_levels == 1
    assert book.best_ranked_price(SELL) == p
    o = book.order(1)
    assert (o.hidden, o.displayed, o.leaves) == (True, 0, 100)


def test_displayed_orders_execute_before_hidden_at_the_same_price(book, px):
    p = px["base"]
    book.submit(1, SELL, p, 100, hidden=True)
    book.submit(2, SELL, p, 100)
    book.take_events()
    book.submit(3, BUY, p, 150)
    fills = [(e.contra_id, e.quantity, e.liquidity) for e in take(book) if e.type == T.FILL]
    assert fills == [(2, 100, Liquidity.MAKER_DISPLAYED), (1, 50, Liquidity.MAKER_HIDDEN)]


def test_better_priced_hidden_order_executes_first(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, SELL, p + t, 100)
    book.submit(2, SELL, p, 100, hidden=True)
    book.take_events()
    book.submit(3, BUY, p + t, 100)
    assert [e.contra_id for e in take(book) if e.type == T.FILL] == [2]


def test_hidden_taker_is_flagged_on_its_fills(book):
    book.submit(1, SELL, 100500, 100)
    book.submit(2, BUY, 100500, 50, hidden=True)
    fill = take(book)[-1]
    assert fill.type == T.FILL and fill.flags == EventFlag.TAKER_HIDDEN


def test_reserve_order_shows_its_display_size(book, px):
    p = px["base"]
    book.submit(1, SELL, p, 1000, display_quantity=100)
    assert book.best_ask() == (p, 100)
    o = book.order(1)
    assert (o.displayed, o.reserve, o.leaves, o.display_quantity) == (100, 900, 1000, 100)


def test_reserve_refresh_loses_time_priority(book, px):
    p = px["base"]
    book.submit(1, SELL, p, 250, display_quantity=100, ts=1)
    book.submit(2, SELL, p, 100, ts=2)
    book.take_events()
    book.submit(3, BUY, p, 150, ts=3)
    assert take(book) == [
        Ev(T.ACCEPTED, 3, BUY, p, 150, 150, ts=3),
        Ev(T.FILL, 3, BUY, p, 100, 50, contra_id=1, contra_leaves=150, liquidity=Liquidity.MAKER_DISPLAYED, ts=3),
        Ev(T.REFRESHED, 1, SELL, p, 100, 150, ts=3),
        # order 2 is now ahead of the refreshed order 1
        Ev(T.FILL, 3, BUY, p, 50, 0, contra_id=2, contra_leaves=50, liquidity=Liquidity.MAKER_DISPLAYED, ts=3),
    ]
    assert [(r["order_id"], r["displayed"], r["reserve"], r["ts"]) for r in book.orders()] == [
        (2, 50, 0, 2), (1, 100, 50, 3)]


def test_large_taker_cycles_through_reserve_refreshes(book):
    book.submit(1, SELL, 100500, 250, display_quantity=100)
    book.take_events()
    book.submit(2, BUY, 100500, 250)
    evs = take(book)
    assert kinds(evs) == [T.ACCEPTED, T.FILL, T.REFRESHED, T.FILL, T.REFRESHED, T.FILL]
    assert [e.quantity for e in evs if e.type == T.FILL] == [100, 100, 50]
    assert [e.quantity for e in evs if e.type == T.REFRESHED] == [100, 50]
    assert len(book) == 0


def test_reserve_remainder_of_an_aggressive_order_rests_as_reserve(book):
    book.submit(1, SELL, 100500, 100)
    book.submit(2, BUY, 100500, 1000, display_quantity=200)
    o = book.order(2)
    assert (o.displayed, o.reserve) == (200, 700)


@pytest.mark.parametrize(
    "kwargs, reason",
    [({"display_quantity": 101}, Reason.INVALID_DISPLAY_QUANTITY),
     ({"display_quantity": -1}, Reason.INVALID_DISPLAY_QUANTITY),
     ({"display_quantity": 10, "hidden": True}, Reason.INCOMPATIBLE_INSTRUCTIONS),
     ({"display_quantity": 10, "order_type": OrderType.MARKET, "price": 0}, Reason.INCOMPATIBLE_INSTRUCTIONS),
     ({"hidden": True, "order_type": OrderType.MARKET, "price": 0}, Reason.INCOMPATIBLE_INSTRUCTIONS)],
)
def test_bad_reserve_and_hidden_instructions(book, kwargs, reason):
    book.submit(9, SELL, 100600, 100)
    book.take_events()
    price = kwargs.pop("price", 100500)
    book.submit(1, BUY, price, 100, **kwargs)
    assert [(e.type, e.reason) for e in take(book)] == [(T.REJECTED, reason)]
