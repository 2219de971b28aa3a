"""Programming errors raise exceptions that name the argument; nothing changes."""
from decimal import Decimal

import numpy as np
import pytest

from engine import Book, Side, TickRegime
from support.observe import full_state


@pytest.fixture
def book2():
    b = Book("A")
    b.submit(1, Side.BUY, 100500, 100)
    b.take_events()
    return b


@pytest.mark.parametrize(
    "call, exc, name",
    [(lambda b: b.submit(2, Side.BUY, 100500.0, 100), TypeError, "price"),
     (lambda b: b.submit(2, Side.BUY, "100500", 100), TypeError, "price"),
     (lambda b: b.submit(2, Side.BUY, Decimal("10.05"), 100), TypeError, "price"),
     (lambda b: b.submit(2.0, Side.BUY, 100500, 100), TypeError, "order_id"),
     (lambda b: b.submit(2, Side.BUY, 100500, 1e3), TypeError, "quantity"),
     (lambda b: b.submit(2, None, 100500, 100), TypeError, "side"),
     (lambda b: b.submit(2, Side.BUY, 100500, 100, ts=1.5), TypeError, "ts"),
     (lambda b: b.submit(2, Side.BUY, 100500, 100, participant=-1), OverflowError, "participant"),
     (lambda b: b.submit(2, Side.BUY, 100500, 100, participant=2**32), OverflowError, "participant"),
     (lambda b: b.submit(-2, Side.BUY, 100500, 100), OverflowError, "order_id"),
     (lambda b: b.submit(2**64, Side.BUY, 100500, 100), OverflowError, "order_id"),
     (lambda b: b.submit(2, Side.BUY, 2**63, 100), OverflowError, "price"),
     (lambda b: b.submit(2, 256, 100500, 100), OverflowError, "side"),
     (lambda b: b.submit(2, Side.BUY, 100500, 100, tif=-1), OverflowError, "tif"),
     (lambda b: b.submit(2, Side.BUY, 100500, 100, display_quantity=1.0), TypeError, "display_quantity"),
     (lambda b: b.submit(2, Side.BUY, 100500, 100, stp="x"), TypeError, "stp"),
     (lambda b: b.submit(2, Side.BUY, 100500, 100, post_only=[1]), TypeError, "post_only"),
     (lambda b: b.submit(2, Side.BUY, 100500, 100, order_type=1.0), TypeError, "order_type"),
     (lambda b: b.cancel(1.0), TypeError, "order_id"),
     (lambda b: b.reduce(1, 10.0), TypeError, "quantity"),
     (lambda b: b.replace(1, 100500.0, 10), TypeError, "price"),
     (lambda b: b.replace(1, 100500, 10, new_order_id=3.0), TypeError, "new_order_id"),
     (lambda b: b.expire(tif=1.0), TypeError, "tif"),
     (lambda b: b.depth(2.0), TypeError, "levels"),
     (lambda b: b.depth(-1), ValueError, "levels"),
     (lambda b: b.order("1"), TypeError, "order_id"),
     (lambda b: b.best_ranked_price(3), ValueError, "side")],
)
def test_bad_arguments_raise_naming_the_argument(book2, call, exc, name):
    before = full_state(book2)
    seq = book2.last_sequence
    with pytest.raises(exc, match=name):
        call(book2)
    assert full_state(book2) == before
    assert book2.last_sequence == seq


def test_numpy_integers_and_int_enums_are_accepted(book2):
    assert book2.submit(np.uint64(2), np.int8(2), np.int64(100600), np.int32(100)) == 1
    assert book2.order(2).side is Side.SELL


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="tick_regime"):
        Book("X", tick_regime=5)
    with pytest.raises(TypeError, match="tick_regime"):
        Book("X", tick_regime=0.0)
    with pytest.raises(TypeError, match="symbol"):
        Book(17)
    assert Book("X", TickRegime.HALF_PENNY_2024).tick_regime is TickRegime.HALF_PENNY_2024


def test_default_timestamp_is_the_last_one(book2):
    book2.submit(5, Side.BUY, 100400, 10, ts=1_000)
    book2.submit(6, Side.BUY, 100400, 10)  # no ts: same time as the last command
    assert book2.take_events()["ts"].tolist() == [1_000, 1_000]


def test_python_subclasses_of_the_books_work():
    """A Python subclass of Book was left without a C++ book (only ProtectedBook
    makes its own) and crashed the process on its first call."""
    from engine import ProtectedBook

    class CountingBook(Book):
        def __init__(self, symbol, *, label):
            self.label = label
            self.calls = 0

        def submit(self, *args, **kwargs):
            self.calls += 1
            return super().submit(*args, **kwargs)

    book = CountingBook("SUB", label="mine")
    assert book.submit(1, Side.BUY, 100_000, 100, ts=1) == 1
    assert (book.calls, book.label, len(book), book.best_bid()) == (1, "mine", 1, (100_000, 100))

    class MyProtected(ProtectedBook):
        pass

    protected = MyProtected("SUB", venues=["A"])
    protected.update_quote("A", 99_000, 100, 101_000, 100, ts=1)
    assert protected.submit(1, Side.SELL, 101_000, 100, ts=2) == 1
    assert protected.best_ask() == (101_000, 100)
