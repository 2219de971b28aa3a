"""Market orders: sweep the contra side, never rest, and need liquidity."""
from engine import EventType as T
from engine import Liquidity, OrderType, Reason, Side, TimeInForce
from support.observe import Ev, full_state, take

BUY, SELL = Side.BUY, Side.SELL
MKT = OrderType.MARKET


def test_market_order_sweeps_levels_and_cancels_the_rest(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, SELL, p, 100)
    book.submit(2, SELL, p + 5 * t, 100)
    book.take_events()
    book.submit(3, BUY, 0, 250, order_type=MKT, ts=9)
    assert take(book) == [
        Ev(T.ACCEPTED, 3, BUY, 0, 250, 250, ts=9),
        Ev(T.FILL, 3, BUY, p, 100, 150, contra_id=1, liquidity=Liquidity.MAKER_DISPLAYED, ts=9),
        Ev(T.FILL, 3, BUY, p + 5 * t, 100, 50, contra_id=2, liquidity=Liquidity.MAKER_DISPLAYED, ts=9),
        Ev(T.CANCELLED, 3, BUY, 0, 50, 0, reason=Reason.IOC_REMAINDER, ts=9),
    ]
    assert len(book) == 0


def test_market_sell_fills_best_bid_first(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, BUY, p - t, 100)
    book.submit(2, BUY, p, 100)
    book.take_events()
    book.submit(3, SELL, 0, 150, order_type=MKT)
    assert [(e.contra_id, e.price, e.quantity) for e in take(book) if e.type == T.FILL] == [(2, p, 100), (1, p - t, 50)]


def test_market_order_with_no_contra_side_is_rejected(book):
    book.submit(1, BUY, 100500, 100)
    book.take_events()
    before = full_state(book)
    book.submit(2, BUY, 0, 100, order_type=MKT)
    assert take(book) == [Ev(T.REJECTED, 2, BUY, 0, 100, reason=Reason.NO_LIQUIDITY)]
    assert full_state(book) == before


def test_market_order_defaults_to_ioc_and_refuses_day_and_gtc(book):
    book.submit(1, SELL, 100500, 100)
    book.take_events()
    book.submit(2, BUY, 0, 10, order_type=MKT, tif=TimeInForce.DAY)
    book.submit(3, BUY, 0, 10, order_type=MKT, tif=TimeInForce.GTC)
    book.submit(4, BUY, 0, 10, order_type=MKT, tif=TimeInForce.FOK)
    evs = take(book)
    assert [(e.type, e.order_id, e.reason) for e in evs] == [
        (T.REJECTED, 2, Reason.INVALID_TIME_IN_FORCE),
        (T.REJECTED, 3, Reason.INVALID_TIME_IN_FORCE),
        (T.ACCEPTED, 4, 0),
        (T.FILL, 4, 0),
    ]


def test_market_order_must_not_carry_a_price(book):
    book.submit(1, SELL, 100500, 100)
    book.take_events()
    book.submit(2, BUY, 100500, 10, order_type=MKT)
    assert take(book) == [Ev(T.REJECTED, 2, BUY, 100500, 10, reason=Reason.INVALID_PRICE)]
