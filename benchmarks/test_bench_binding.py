"""What a call costs through each binding (issue 11): the same C++ Book, the
same positional add and cancel, through the product's Cython skin and through a
pybind11 module built for this benchmark only (benchmarks/native/pybind_book.cpp).
The product binds with Cython because it measured about 3.5x cheaper per call;
these keep that claim checked. (The Cython calls also check the thread guard.)

    python -m pytest benchmarks/test_bench_binding.py --benchmark-columns=median
"""
from __future__ import annotations

import pytest

from bench_support import CALLS_PER_ROUND
from engine import Book
from engine.flow import resting_orders
from native import load_pybind

pybind = load_pybind()
needs_pybind = pytest.mark.skipif(pybind is None, reason="pybind11 is not installed (pip install pybind11)")


class Calls:
    """A book with 2,000 resting orders; each round adds CALLS_PER_ROUND orders and
    the untimed setup cancels them (or, for cancel rounds, the reverse)."""

    def __init__(self, book) -> None:
        self.book = book
        background = resting_orders(2_000, seed=11)
        for i, side, price, qty in background[["order_id", "side", "price", "quantity"]].tolist():
            book.add(i, side, price, qty)
        flow = resting_orders(CALLS_PER_ROUND, seed=12)
        offset = int(background["order_id"].max())
        self.ids = [int(i) + offset for i in flow["order_id"]]
        self.sides, self.prices, self.qtys = flow["side"].tolist(), flow["price"].tolist(), flow["quantity"].tolist()
        book.clear_events()

    def clear(self):
        for i in self.ids:
            self.book.cancel(i)
        self.book.clear_events()
        return (), {}

    def fill(self):
        add = self.book.add
        for i in range(CALLS_PER_ROUND):
            add(self.ids[i], self.sides[i], self.prices[i], self.qtys[i])
        self.book.clear_events()
        return (), {}

    def adds(self) -> None:
        add, ids, sides, prices, qtys = self.book.add, self.ids, self.sides, self.prices, self.qtys
        for i in range(CALLS_PER_ROUND):
            add(ids[i], sides[i], prices[i], qtys[i])

    def cancels(self) -> None:
        cancel = self.book.cancel
        for i in self.ids:
            cancel(i)


BOOKS = [pytest.param(lambda: Book("BIND"), id="cython"),
         pytest.param(lambda: pybind.Book(), id="pybind11", marks=needs_pybind)]


@pytest.mark.parametrize("make", BOOKS)
@pytest.mark.benchmark(group="binding: add a resting order, per call")
def test_add_x1000(benchmark, make):
    c = Calls(make())
    benchmark.pedantic(c.adds, setup=c.clear, rounds=200, iterations=1, warmup_rounds=5)
    assert len(c.book) == 2_000 + CALLS_PER_ROUND


@pytest.mark.parametrize("make", BOOKS)
@pytest.mark.benchmark(group="binding: cancel, per call")
def test_cancel_x1000(benchmark, make):
    c = Calls(make())
    benchmark.pedantic(c.cancels, setup=c.fill, rounds=200, iterations=1, warmup_rounds=5)
    assert len(c.book) == 2_000
