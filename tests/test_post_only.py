"""Post-only orders never remove liquidity: rejected or re-priced (REQ-LC-06)."""
import pytest

from engine import Book, PostOnly, Reason, Side, TickRegime
from engine import EventType as T
from engine import TimeInForce as TIF
from support.observe import Ev, full_state, take

BUY, SELL = Side.BUY, Side.SELL


def test_req_lc_06_reprice_one_tick_below_best_offer(book):
    book.submit(1, SELL, 100500, 100)
    book.take_events()
    book.submit(2, BUY, 100500, 100, post_only=PostOnly.REPRICE)
    assert take(book) == [
        Ev(T.ACCEPTED, 2, BUY, 100500, 100, 100),
        Ev(T.REPRICED, 2, BUY, 100400, 0, 100, reason=Reason.POST_ONLY_REPRICED),
    ]
    assert book.top() == (100400, 100, 100500, 100)
    assert book.order(2).price == 100400


def test_req_lc_06_sub_dollar_reprice_by_one_unit(book):
    book.submit(1, SELL, 5001, 100)
    book.submit(2, BUY, 5001, 100, post_only=PostOnly.REPRICE)
    assert book.top() == (5000, 100, 5001, 100)


def test_req_lc_06_reject_mode(book):
    book.submit(1, SELL, 100500, 100)
    book.take_events()
    before = full_state(book)
    book.submit(2, BUY, 100600, 100, post_only=PostOnly.REJECT)
    assert take(book) == [Ev(T.REJECTED, 2, BUY, 100600, 100, reason=Reason.POST_ONLY_WOULD_REMOVE)]
    assert full_state(book) == before


def test_d9_dollar_boundary_for_post_only(book):
    book.submit(1, SELL, 10000, 100)  # offer at $1.00
    book.submit(2, BUY, 10200, 100, post_only=PostOnly.REPRICE)
    assert book.order(2).price == 9999  # one tick below $1.00 is $0.9999
    b2 = Book("B2")
    b2.submit(1, BUY, 9999, 100)  # bid at $0.9999
    b2.submit(2, SELL, 9800, 100, post_only=PostOnly.REPRICE)
    assert b2.order(2).price == 10000


def test_half_penny_reprice():
    b = Book("H", tick_regime=TickRegime.HALF_PENNY_2024)
    b.submit(1, SELL, 100050, 100)
    b.submit(2, BUY, 100100, 100, post_only=PostOnly.REPRICE)
    assert b.order(2).price == 100000


def test_post_only_that_does_not_cross_rests_at_its_limit(book):
    book.submit(1, SELL, 100500, 100)
    book.submit(2, BUY, 100400, 100, post_only=PostOnly.REJECT)
    evs = take(book)
    assert [e.type for e in evs] == [T.ACCEPTED, T.ACCEPTED]
    assert book.order(2).price == 100400


def test_post_only_steps_back_from_hidden_interest_too(book):
    book.submit(1, SELL, 100500, 100, hidden=True)
    book.submit(2, BUY, 100500, 100, post_only=PostOnly.REPRICE)
    assert book.order(2).price == 100400
    assert book.order(1).leaves == 100  # nothing executed


def test_post_only_with_no_lower_price_is_rejected(book):
    book.submit(1, SELL, 1, 100)  # $0.0001: nothing below it
    book.take_events()
    book.submit(2, BUY, 1, 100, post_only=PostOnly.REPRICE)
    assert take(book)[0].reason == Reason.POST_ONLY_WOULD_REMOVE


@pytest.mark.parametrize("tif", [TIF.IOC, TIF.FOK])
def test_post_only_immediate_orders_are_incompatible(book, tif):
    book.submit(1, BUY, 100500, 100, post_only=PostOnly.REJECT, tif=tif)
    assert take(book)[0].reason == Reason.INCOMPATIBLE_INSTRUCTIONS


def test_replacing_a_post_only_order_keeps_the_instruction(book):
    book.submit(1, SELL, 100500, 100)
    book.submit(2, BUY, 100300, 100, post_only=PostOnly.REPRICE)
    book.take_events()
    book.replace(2, 100700, 100)
    evs = take(book)
    assert [e.type for e in evs] == [T.REPLACED, T.REPRICED]
    assert book.order(2).price == 100400
    book.submit(3, BUY, 100300, 100, post_only=PostOnly.REJECT)
    book.take_events()
    before = full_state(book)
    book.replace(3, 100500, 100)
    assert take(book) == [Ev(T.REJECTED, 3, BUY, 100500, 100, reason=Reason.POST_ONLY_WOULD_REMOVE)]
    assert full_state(book) == before
