"""DAY, GTC, IOC and FOK."""
from engine import EventType as T
from engine import Reason, Side, StpMode
from engine import TimeInForce as TIF
from support.observe import Ev, full_state, kinds, take

BUY, SELL = Side.BUY, Side.SELL


def test_ioc_fills_what_it_can_and_cancels_the_rest(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, SELL, p, 100)
    book.submit(2, SELL, p + 2 * t, 100)
    book.take_events()
    book.submit(3, BUY, p + t, 300, tif=TIF.IOC)
    evs = take(book)
    assert kinds(evs) == [T.ACCEPTED, T.FILL, T.CANCELLED]
    assert evs[2] == Ev(T.CANCELLED, 3, BUY, p + t, 200, 0, reason=Reason.IOC_REMAINDER)
    assert book.top() == (None, 0, p + 2 * t, 100)


def test_ioc_with_nothing_to_match_is_cancelled(book, px):
    book.submit(1, BUY, px["base"], 100, tif=TIF.IOC)
    assert take(book) == [
        Ev(T.ACCEPTED, 1, BUY, px["base"], 100, 100),
        Ev(T.CANCELLED, 1, BUY, px["base"], 100, 0, reason=Reason.IOC_REMAINDER),
    ]
    assert len(book) == 0


def test_fok_fills_completely_across_levels(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, SELL, p, 100)
    book.submit(2, SELL, p + t, 100)
    book.take_events()
    book.submit(3, BUY, p + t, 200, tif=TIF.FOK)
    assert kinds(take(book)) == [T.ACCEPTED, T.FILL, T.FILL]
    assert len(book) == 0


def test_fok_that_cannot_fill_executes_nothing(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, SELL, p, 100)
    book.submit(2, SELL, p + 2 * t, 100)  # beyond the FOK's limit
    book.take_events()
    before = full_state(book)
    book.submit(3, BUY, p + t, 150, tif=TIF.FOK)
    assert take(book) == [
        Ev(T.ACCEPTED, 3, BUY, p + t, 150, 150),
        Ev(T.CANCELLED, 3, BUY, p + t, 150, 0, reason=Reason.FOK_NOT_FILLABLE),
    ]
    assert full_state(book)[:-1] == before[:-1]  # orders untouched (only the clock moved)


def test_fok_counts_reserve_and_hidden_shares(book):
    book.submit(1, SELL, 100500, 500, display_quantity=100)
    book.submit(2, SELL, 100500, 200, hidden=True)
    book.take_events()
    book.submit(3, BUY, 100500, 700, tif=TIF.FOK)
    evs = take(book)
    assert sum(e.quantity for e in evs if e.type == T.FILL) == 700
    assert len(book) == 0


def test_fok_market_order(book):
    book.submit(1, SELL, 100500, 100)
    book.take_events()
    from engine import OrderType

    book.submit(2, BUY, 0, 101, order_type=OrderType.MARKET, tif=TIF.FOK)
    assert kinds(take(book)) == [T.ACCEPTED, T.CANCELLED]
    assert book.order(1).leaves == 100


def test_fok_meeting_own_order_is_not_fillable_unless_cancel_oldest(book):
    book.submit(1, SELL, 100500, 100, participant=7)
    book.submit(2, SELL, 100500, 100, participant=8)
    book.take_events()
    book.submit(3, BUY, 100500, 100, tif=TIF.FOK, participant=7, stp=StpMode.CANCEL_NEWEST)
    evs = take(book)
    assert [(e.type, e.reason) for e in evs] == [(T.ACCEPTED, 0), (T.CANCELLED, Reason.FOK_NOT_FILLABLE)]
    assert len(book) == 2
    book.submit(4, BUY, 100500, 100, tif=TIF.FOK, participant=7, stp=StpMode.CANCEL_OLDEST)
    evs = take(book)
    assert [(e.type, e.order_id, e.contra_id, e.reason) for e in evs] == [
        (T.ACCEPTED, 4, 0, 0), (T.CANCELLED, 1, 0, Reason.STP_CANCEL_OLDEST), (T.FILL, 4, 2, 0)]
    assert len(book) == 0


def test_day_orders_expire_and_gtc_orders_stay(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, BUY, p, 100, tif=TIF.DAY)
    book.submit(2, BUY, p - t, 100, tif=TIF.GTC)
    book.submit(3, SELL, p + t, 100, tif=TIF.DAY, hidden=True)
    book.take_events()
    assert book.expire(ts=100) == 2
    assert take(book) == [
        Ev(T.EXPIRED, 1, BUY, p, 100, 0, reason=Reason.END_OF_DAY, ts=100),
        Ev(T.EXPIRED, 3, SELL, p + t, 100, 0, reason=Reason.END_OF_DAY, ts=100),
    ]
    assert [o["order_id"] for o in book.orders()] == [2]
    book.expire(tif=TIF.GTC)
    assert len(book) == 0


def test_expire_refuses_immediate_time_in_force(book):
    book.expire(tif=TIF.IOC)
    assert take(book) == [Ev(T.REJECTED, 0, reason=Reason.INVALID_TIME_IN_FORCE)]
