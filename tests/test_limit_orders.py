"""Limit orders: resting, crossing, price-time priority, on both sides of $1.00."""
from engine import EventType as T
from engine import Liquidity, Side, TimeInForce
from support.observe import Ev, kinds, take

BUY, SELL = Side.BUY, Side.SELL
DISP = Liquidity.MAKER_DISPLAYED


def test_resting_order_is_accepted_and_shown(book, px):
    p = px["base"]
    assert book.submit(1, BUY, p, 300, ts=5) == 1
    assert take(book) == [Ev(T.ACCEPTED, 1, BUY, p, 300, 300, ts=5)]
    assert book.top() == (p, 300, None, 0)
    assert book.best_bid() == (p, 300)
    assert book.best_ask() is None
    o = book.order(1)
    assert (o.side, o.price, o.leaves, o.displayed, o.filled, o.tif, o.ts) == (BUY, p, 300, 300, 0, TimeInForce.DAY, 5)
    assert len(book) == 1 and 1 in book and 2 not in book


def test_cross_fills_at_the_resting_price(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, SELL, p, 300, ts=1)
    book.submit(2, BUY, p + 2 * t, 100, ts=2)  # willing to pay more: gets the maker's price
    assert take(book) == [
        Ev(T.ACCEPTED, 1, SELL, p, 300, 300, ts=1),
        Ev(T.ACCEPTED, 2, BUY, p + 2 * t, 100, 100, ts=2),
        Ev(T.FILL, 2, BUY, p, 100, 0, contra_id=1, contra_leaves=200, liquidity=DISP, ts=2),
    ]
    assert book.top() == (None, 0, p, 200)
    assert book.order(1).filled == 100
    assert book.order(2) is None


def test_price_then_time_priority(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, SELL, p + t, 100)
    book.submit(2, SELL, p, 100)
    book.submit(3, SELL, p, 100)
    book.take_events()
    book.submit(4, BUY, p + t, 250)
    fills = [(e.contra_id, e.price, e.quantity, e.leaves, e.contra_leaves) for e in take(book) if e.type == T.FILL]
    assert fills == [(2, p, 100, 150, 0), (3, p, 100, 50, 0), (1, p + t, 50, 0, 50)]
    assert [(o["order_id"], o["leaves"]) for o in book.orders()] == [(1, 50)]


def test_sweep_then_rest_remainder(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, SELL, p, 100)
    book.submit(2, SELL, p + t, 100)
    book.take_events()
    book.submit(3, BUY, p + t, 500)
    assert kinds(take(book)) == [T.ACCEPTED, T.FILL, T.FILL]
    assert book.top() == (p + t, 300, None, 0)
    assert book.order(3).filled == 200


def test_non_crossing_orders_both_rest(book, px):
    p, t = px["base"], px["tick"]
    book.submit(1, BUY, p, 100)
    book.submit(2, SELL, p + t, 100)
    assert kinds(take(book)) == [T.ACCEPTED, T.ACCEPTED]
    assert book.top() == (p, 100, p + t, 100)
    assert book.bid_levels == 1 and book.ask_levels == 1


def test_depth_reports_levels_best_first(book, px):
    p, t = px["base"], px["tick"]
    for i, (side, price, q) in enumerate(
        [(BUY, p, 100), (BUY, p, 50), (BUY, p - t, 70), (BUY, p - 3 * t, 10), (SELL, p + t, 20), (SELL, p + 2 * t, 30)],
        start=1,
    ):
        book.submit(i, side, price, q)
    bids, asks = book.depth(2)
    assert bids.tolist() == [(p, 150, 2), (p - t, 70, 1)]
    assert asks.tolist() == [(p + t, 20, 1), (p + 2 * t, 30, 1)]
    bids, asks = book.depth(10)
    assert len(bids) == 3 and len(asks) == 2
    assert book.depth(0)[0].size == 0


def test_crossing_the_dollar_boundary():
    from engine import Book

    book = Book("PENNYSTOCK")
    book.submit(1, SELL, 9999, 100)  # $0.9999
    book.submit(2, SELL, 10000, 100)  # $1.00
    book.submit(3, SELL, 10100, 100)  # $1.01
    book.take_events()
    book.submit(4, BUY, 10000, 150)
    fills = [(e.contra_id, e.price, e.quantity) for e in take(book) if e.type == T.FILL]
    assert fills == [(1, 9999, 100), (2, 10000, 50)]
    assert book.orders()[["order_id", "ts", "price", "leaves"]][0].tolist() == (2, 0, 10000, 50)


def test_events_carry_sequence_numbers_without_gaps(book):
    book.submit(1, SELL, 100500, 100)
    book.submit(2, BUY, 100500, 40)
    book.submit(3, BUY, 100501, 40)  # rejected: still an event with a sequence number
    ev = book.take_events()
    assert ev["seq"].tolist() == [1, 2, 3, 4]
    assert book.last_sequence == 4
    book.cancel(1)
    assert book.take_events()["seq"].tolist() == [5]
    assert book.take_events().size == 0
