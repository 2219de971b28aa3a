"""Deep books: the price ladder keeps the levels nearest the touch in a sorted
array and the rest in a treap (issue 11: entering levels from the best price
outwards was quadratic). Whatever the arrival order and however many levels,
matching, depth, integrity and snapshots are what the reference book says, and
the ladder's internal shape never changes a single event."""
from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from engine import Action, Book, EventType, OrderType, Side, TimeInForce, new_commands
from engine._core import load_snapshot
from support.pair import engine_events, engine_orders, reference_events, reference_orders
from support.reference_book import ReferenceBook

ROOT = Path(__file__).resolve().parent.parent
NEAR_MAX = 256  # csrc/engine/core/price_ladder.hpp's default window
TICK = 100


def resting(n: int, side: Side, prices: np.ndarray, first_id: int = 1) -> np.ndarray:
    c = new_commands(n)
    c["action"] = Action.NEW
    c["order_id"] = np.arange(first_id, first_id + n)
    c["side"] = side
    c["order_type"] = OrderType.LIMIT
    c["tif"] = TimeInForce.DAY
    c["quantity"] = 100
    c["price"] = prices
    c["ts"] = 1
    return c


@pytest.mark.parametrize("order", ["best_first", "worst_first", "alternating", "random"])
@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
def test_many_levels_in_any_order_give_the_same_book(order, side):
    n = 5 * NEAR_MAX + 37
    prices = 1_000_000 + TICK * np.arange(n)  # ascending
    if (side == Side.BUY) == (order == "best_first"):
        prices = prices[::-1]  # best first: bids from the highest, offers from the lowest
    if order == "alternating":
        prices = np.concatenate([prices[::2], prices[1::2][::-1]])
    if order == "random":
        prices = np.random.default_rng(4).permutation(prices)
    book = Book("DEEP")
    book.execute(resting(n, side, prices))
    assert book.check_integrity() is None
    bids, asks = book.depth(n + 10)
    levels = bids if side == Side.BUY else asks
    want = sorted(prices.tolist(), reverse=side == Side.BUY)
    assert levels["price"].tolist() == want and (levels["quantity"] == 100).all()
    assert book.best_ranked_price(side) == want[0]


def test_a_sweep_through_far_levels_fills_best_first():
    """One order takes every level: the array empties and refills from the
    treap again and again, and the fills come out in strict price order."""
    n = 4 * NEAR_MAX + 3
    prices = 1_000_000 + TICK * np.arange(n)
    book = Book("SWEEP")
    book.execute(resting(n, Side.SELL, prices[::-1]))  # entered from the worst (highest) offer inwards
    book.clear_events()
    book.submit(10**6, Side.BUY, int(prices[-1]), 100 * n, tif=TimeInForce.IOC, ts=2)
    ev = book.take_events()
    fills = ev[ev["type"] == EventType.FILL]
    assert fills["price"].tolist() == prices.tolist()
    assert len(book) == 0 and len(book.depth(10)[1]) == 0 and book.check_integrity() is None


def test_cancelling_far_levels_and_the_touch_keeps_the_book_whole():
    rng = random.Random(9)
    n = 3 * NEAR_MAX
    prices = 2_000_000 - TICK * np.arange(n)  # bids, best first: most end up in the treap
    book = Book("CXL")
    book.execute(resting(n, Side.BUY, prices))
    live = {i + 1: int(prices[i]) for i in range(n)}
    for step, oid in enumerate(rng.sample(sorted(live), n)):
        book.cancel(oid, ts=2 + step)
        del live[oid]
        if step % 97 == 0:
            assert book.check_integrity() is None
            bids, _ = book.depth(n)
            assert bids["price"].tolist() == sorted(live.values(), reverse=True)
    assert len(book) == 0 and book.check_integrity() is None


def test_a_snapshot_of_a_deep_book_restores_it_exactly():
    n = 3 * NEAR_MAX + 11
    prices = np.random.default_rng(2).permutation(1_000_000 + TICK * np.arange(2 * n))[:n]
    book = Book("SNAP")
    book.execute(resting(n, Side.BUY, prices))
    book.execute(resting(n, Side.SELL, prices + 10**6, first_id=n + 1))
    twin = load_snapshot(book.save_snapshot(), "SNAP")
    assert twin.check_integrity() is None
    assert twin.orders().tobytes() == book.orders().tobytes()
    for b in (book, twin):  # and both go on the same way
        b.submit(10**7, Side.SELL, int(prices.min()), 100 * n, tif=TimeInForce.IOC, ts=5)
    assert twin.take_events()[["type", "order_id", "contra_id", "price", "quantity"]].tobytes() == \
        book.take_events()[["type", "order_id", "contra_id", "price", "quantity"]].tobytes()


def test_deep_random_flow_matches_the_reference_book():
    """Differential, on a book several times deeper than the sorted array: adds
    over 1,500 prices on both sides, cancels, replaces, and marketable orders
    that sweep tens of levels; every event compared, the whole book every 250 steps."""
    rng = random.Random(17)
    book, ref = Book("DIFF"), ReferenceBook()
    bid_prices = [1_000_000 - TICK * k for k in range(1_500)]
    ask_prices = [1_000_100 + TICK * k for k in range(1_500)]
    live: list[int] = []
    next_id = 1
    for step in range(6_000):
        ts = step + 1
        r = rng.random()
        cmd = {"ts": ts, "order_id": 0, "new_order_id": 0, "price": 0, "quantity": 0, "display_quantity": 0,
               "participant": 0, "action": Action.NEW, "side": 0, "order_type": OrderType.LIMIT,
               "tif": TimeInForce.DAY, "stp": 0, "post_only": 0, "flags": 0, "reserved": 0, "lock_cross": 0}
        if r < 0.70 or not live:
            side = rng.choice([Side.BUY, Side.SELL])
            far = rng.random() < 0.8
            prices = bid_prices if side == Side.BUY else ask_prices
            price = rng.choice(prices) if far else prices[rng.randrange(20)]
            cmd.update(order_id=next_id, side=side, price=price, quantity=rng.choice([100, 200, 300]))
            live.append(next_id)
            next_id += 1
        elif r < 0.85:
            cmd.update(action=Action.CANCEL, order_id=live.pop(rng.randrange(len(live))))
        elif r < 0.93:
            side = rng.choice([Side.BUY, Side.SELL])
            prices = ask_prices if side == Side.BUY else bid_prices
            cmd.update(order_id=next_id, side=side, price=prices[rng.randrange(60)], tif=TimeInForce.IOC,
                       quantity=rng.choice([500, 2_000, 8_000]))
            next_id += 1
        else:
            old = live.pop(rng.randrange(len(live)))
            side_prices = bid_prices + ask_prices
            cmd.update(action=Action.REPLACE, order_id=old, new_order_id=next_id, price=rng.choice(side_prices),
                       quantity=rng.choice([100, 400]))
            live.append(next_id)
            next_id += 1
        arr = new_commands(1)
        for k, v in cmd.items():
            arr[0][k] = v
        got = engine_events(book.execute(arr))
        ref.execute(cmd)
        want = reference_events(ref.events)
        ref.events.clear()
        assert got == want, f"step {step}: {cmd}"
        live = [o for o in live if o in book]
        if step % 250 == 0:
            assert book.check_integrity() is None
            assert engine_orders(book) == reference_orders(ref)
    bids, asks = book.depth(10**6)
    assert len(bids) > 2 * NEAR_MAX and len(asks) > 2 * NEAR_MAX  # the treap was in play on both sides
    assert engine_orders(book) == reference_orders(ref)


CXX = shutil.which("g++") or shutil.which("clang++")


@pytest.mark.skipif(CXX is None, reason="no C++ compiler on this machine")
def test_the_ladders_shape_never_changes_an_event(tmp_path):
    """The sanitizer driver's random programs, built with the product's window
    and with windows of 2 and 4 levels (so nearly every level lives in the
    treap), give the same digest of every event."""
    digests = {}
    for near in (256, 4, 2):
        exe = tmp_path / f"digest_{near}"
        subprocess.run([CXX, "-std=c++20", "-O1", f"-DENGINE_LADDER_NEAR_MAX={near}", "-I", str(ROOT / "csrc"),
                        str(ROOT / "csrc/fuzz/sanitize_main.cpp"), "-o", str(exe)],
                       check=True, capture_output=True, text=True, timeout=600)
        outs = [subprocess.run([str(exe), "--digest", str(seed), "150", "4096"], capture_output=True, text=True,
                               timeout=600, env={**os.environ}).stdout.split()[-1] for seed in (1, 2, 3)]
        digests[near] = outs
    assert digests[256] == digests[4] == digests[2]
    assert len(set(digests[256])) == 3  # three different programs, three different digests
