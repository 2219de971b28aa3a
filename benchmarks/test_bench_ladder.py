"""Deep books: 200,000 price levels entered in one batch, from the best price
outwards (each new level the worst so far: the order that was quadratic when
the ladder was one sorted array, 3 s here) and from the worst inwards (each new
level the best). Issue 11's target: well under a second either way.

    python -m pytest benchmarks/test_bench_ladder.py --benchmark-columns=min,median,max
"""
from __future__ import annotations

import numpy as np
import pytest

from engine import Action, Book, OrderType, Side, TimeInForce, new_commands

LEVELS = 200_000


def commands(best_first: bool) -> np.ndarray:
    c = new_commands(LEVELS)
    c["action"] = Action.NEW
    c["order_id"] = np.arange(1, LEVELS + 1)
    c["side"] = Side.BUY
    c["order_type"] = OrderType.LIMIT
    c["tif"] = TimeInForce.DAY
    c["quantity"] = 100
    prices = 10_000 + 100 * np.arange(1, LEVELS + 1)
    c["price"] = prices[::-1] if best_first else prices  # bids: best = highest
    c["ts"] = 1
    return c


@pytest.mark.parametrize("best_first", [True, False], ids=["best_first_outwards", "worst_first_inwards"])
@pytest.mark.benchmark(group="price levels: 200k levels in one batch")
def test_enter_200k_levels(benchmark, best_first):
    flow = commands(best_first)

    def run():
        book = Book("DEEP")
        book.execute(flow)
        return book

    book = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    assert len(book) == LEVELS and book.best_ranked_price(Side.BUY) == 10_000 + 100 * LEVELS
