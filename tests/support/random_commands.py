"""Random commands for the differential and property tests: mostly valid, and
bad in one way or another often enough to exercise every refusal."""
from __future__ import annotations

import random

from hypothesis import strategies as st

from engine import Action, OrderType

# Prices near the touch on both sides of $1.00, a few off the grid.
PRICE_PROFILES = {
    "around_one_dollar": [9990, 9995, 9998, 9999, 10000, 10001, 10050, 10100, 10200, 10300],
    "around_ten_dollars": [100200, 100300, 100400, 100450, 100500, 100550, 100600, 100700, 100800],
}

def round_lot_size(rng: random.Random) -> int:
    """Mostly round lots, as in real flow, so exact-size matches (FOK, reduce) are common."""
    return rng.choice([100, 100, 200, 300, 50, 150, 400]) if rng.random() < 0.7 else rng.randint(1, 400)


SIZES = st.one_of(st.sampled_from([50, 100, 100, 150, 200, 300]), st.integers(1, 300))


def random_command(rng: random.Random, prices: list[int], clock: list[int], live: list[int]) -> dict:
    """One random command: mostly valid, sometimes bad in one way or another."""
    clock[0] += rng.choice([0, 0, 1, 1, 2, 5])
    ts = clock[0] - (rng.choice([1, 3]) if rng.random() < 0.02 else 0)
    known = lambda: rng.choice(live) if live and rng.random() < 0.9 else rng.randint(0, 80)  # noqa: E731
    r = rng.random()
    cmd = {"ts": ts, "order_id": 0, "new_order_id": 0, "price": 0, "quantity": 0, "display_quantity": 0,
           "participant": 0, "action": Action.NEW, "side": 0, "order_type": OrderType.LIMIT, "tif": 1, "stp": 0,
           "post_only": 0, "flags": 0, "reserved": 0, "lock_cross": 0}
    if r < 0.50:
        market = rng.random() < 0.07
        qty = round_lot_size(rng) if rng.random() < 0.97 else rng.choice([0, -5, 1_000_000_001])
        cmd.update(
            order_id=rng.randint(1, 80) if rng.random() < 0.98 else 0,
            side=rng.choice([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 3]),
            order_type=OrderType.MARKET if market else (OrderType.LIMIT if rng.random() < 0.995 else 7),
            price=0 if market else rng.choice(prices),
            quantity=qty,
            tif=rng.choice([3, 4]) if market and rng.random() < 0.9 else rng.choice([1, 1, 1, 2, 3, 4, 1, 0]),
            participant=rng.choice([0, 1, 2, 3]),
            stp=rng.choice([0, 0, 1, 2, 3, 4, 5]) if rng.random() < 0.5 else 0,
            post_only=rng.choice([0, 0, 0, 0, 1, 2, 3]),
            flags=rng.choice([0, 0, 0, 0, 1, 2, 4, 6, 8, 128]),
            lock_cross=rng.choice([0, 0, 0, 1, 2, 3, 4]),
        )
        if rng.random() < 0.15:
            cmd["display_quantity"] = rng.choice([0, 1, 10, 50, 100, 500, -1])
    elif r < 0.72:
        cmd.update(action=Action.CANCEL, order_id=known())
    elif r < 0.82:
        cmd.update(action=Action.REDUCE, order_id=known(), quantity=rng.choice([1, 50, 100, 150, 300, 0, -1]))
    elif r < 0.97:
        cmd.update(action=Action.REPLACE, order_id=known(), price=rng.choice(prices),
                   quantity=rng.choice([1, 10, 50, 100, 200, 400, 0]),
                   new_order_id=rng.choice([0, 0, 0, rng.randint(1, 80)]))
    elif r < 0.995:
        cmd.update(action=Action.EXPIRE, tif=rng.choice([1, 1, 2, 3]))
    else:
        cmd.update(action=rng.choice([0, 6, 200]), order_id=rng.randint(1, 80))
    return cmd
