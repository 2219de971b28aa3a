"""Differential test: the C++ book against the pure-Python reference book.

Both receive the same random commands (new orders of every type and
instruction, cancels, reduces, replaces, expiries, and bad input of every
kind). After every step they must have produced the same events, field for
field, and hold the same book, order for order; and these invariants must hold:
the book is never crossed or locked against itself, every share is accounted
for (an order's accepted size = filled + cancelled + reduced + resting, from
the events alone), and every live id is unique and findable.
"""
from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from engine import Action, Book, EventType, OrderType, Side, TickRegime, new_commands
from reference_book import ReferenceBook

# Prices near the touch on both sides of $1.00, a few off the grid.
PRICE_PROFILES = {
    "around_one_dollar": [9990, 9995, 9998, 9999, 10000, 10001, 10050, 10100, 10200, 10300],
    "around_ten_dollars": [100200, 100300, 100400, 100450, 100500, 100550, 100600, 100700, 100800],
}
OPS = {"count": 0}


def engine_events(ev: np.ndarray) -> list[tuple]:
    return [
        (int(e["seq"]), int(e["ts"]), int(e["type"]), int(e["order_id"]), int(e["contra_id"]), int(e["side"]),
         int(e["price"]), int(e["quantity"]), int(e["leaves"]), int(e["contra_leaves"]), int(e["reason"]),
         int(e["liquidity"]), int(e["flags"]), int(e["fee"]), int(e["compliance_code"]), int(e["venues"]),
         int(e["quote_version"]), int(e["aux"]) if e["type"] != EventType.REPRICED else 0)
        for e in ev
    ]


def reference_events(events) -> list[tuple]:
    return [
        (e.seq, e.ts, int(e.type), e.order_id, e.contra_id, int(e.side), e.price, e.quantity, e.leaves,
         e.contra_leaves, int(e.reason), int(e.liquidity), int(e.flags), 0, 0, 0, 0, 0)
        for e in events
    ]


def engine_orders(book: Book) -> list[tuple]:
    return [tuple(r.tolist()) for r in book.orders()]


def reference_orders(ref: ReferenceBook) -> list[tuple]:
    return [
        (o.order_id, o.ts, o.price, 0 if o.hidden else o.price, o.price, o.leaves, 0 if o.hidden else o.shown,
         o.reserve, o.filled, o.peak, o.participant, (1 if o.hidden else 0) | (2 if o.routable else 0),
         o.side, o.tif, o.stp, o.post_only, o.lock_cross, 0)
        for o in ref.snapshot()
    ]


class Pair:
    """The engine and the reference book side by side, with the checks."""

    def __init__(self, regime: int) -> None:
        self.book = Book("DIFF", tick_regime=regime)
        self.ref = ReferenceBook(regime=regime)
        self.ledger: dict[int, int] = {}  # shares still open per order id, from events alone

    def apply(self, cmd: dict, via_batch: bool, compare=None) -> None:
        """Run one command through both books and check them. ``compare`` projects
        each event tuple before comparing (default: every field)."""
        OPS["count"] += 1
        if via_batch or not self._per_order_call(cmd):
            arr = new_commands(1)
            for k, v in cmd.items():
                arr[0][k] = v
            ev = self.book.execute(arr)
        else:
            ev = self.book.take_events()
        self.ref.execute(cmd)
        got = engine_events(ev)
        want = reference_events(self.ref.events)
        self.ref.events.clear()
        project = compare or (lambda e: e)
        assert [project(e) for e in got] == [project(e) for e in want], f"events differ after {cmd}"
        self._account(got)
        self.check()

    def _per_order_call(self, c: dict) -> bool:
        """Run `c` through the per-order API when it can express it."""
        b, a = self.book, c["action"]
        if a == Action.NEW:
            if c.get("reserved", 0):
                return False
            b.submit(c["order_id"], c["side"], c["price"], c["quantity"], order_type=c["order_type"], tif=c["tif"],
                     ts=c["ts"], display_quantity=c["display_quantity"], participant=c["participant"],
                     stp=c["stp"], post_only=c["post_only"], flags=c["flags"], lock_cross=c["lock_cross"])
        elif a == Action.CANCEL:
            b.cancel(c["order_id"], ts=c["ts"])
        elif a == Action.REDUCE:
            b.reduce(c["order_id"], c["quantity"], ts=c["ts"])
        elif a == Action.REPLACE:
            b.replace(c["order_id"], c["price"], c["quantity"], new_order_id=c["new_order_id"], ts=c["ts"])
        elif a == Action.EXPIRE:
            b.expire(tif=c["tif"], ts=c["ts"])
        else:
            return False
        return True

    def _account(self, events: list[tuple]) -> None:
        for _seq, _ts, etype, oid, contra, _side, _p, qty, leaves, contra_leaves, *_ in events:
            if etype == EventType.ACCEPTED:
                self.ledger[oid] = qty
            elif etype == EventType.FILL:
                self.ledger[oid] -= qty
                self.ledger[contra] -= qty
                assert self.ledger[oid] == leaves and self.ledger[contra] == contra_leaves
            elif etype in (EventType.CANCELLED, EventType.EXPIRED, EventType.REDUCED):
                self.ledger[oid] -= qty
                assert self.ledger[oid] == leaves
            elif etype == EventType.REPLACED:
                self.ledger.pop(oid)
                self.ledger[contra] = qty
        for oid in [k for k, v in self.ledger.items() if v == 0]:
            del self.ledger[oid]
        assert all(v > 0 for v in self.ledger.values())

    def check(self) -> None:
        b = self.book
        assert b.check_integrity() is None
        orders = engine_orders(b)
        assert orders == reference_orders(self.ref)
        bids, asks = b.depth(10_000)
        assert bids.tolist() == self.ref.depth(Side.BUY)
        assert asks.tolist() == self.ref.depth(Side.SELL)
        # never crossed or locked against itself (hidden interest included)
        bb, ba = b.best_ranked_price(Side.BUY), b.best_ranked_price(Side.SELL)
        assert bb is None or ba is None or bb < ba
        # ids unique and findable; resting shares = open shares from the events
        ids = [o[0] for o in orders]
        assert len(ids) == len(set(ids)) == len(b)
        assert {o[0]: o[5] for o in orders} == self.ledger
        for o in orders:
            found = b.order(o[0])
            assert found is not None and found.leaves == o[5] and found.price == o[2]


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


def run_seeded(seed: int, steps: int, regime: int, profile: str) -> Pair:
    rng = random.Random(seed)
    pair = Pair(regime)
    clock = [0]
    for _ in range(steps):
        live = [o[0] for o in engine_orders(pair.book)] if rng.random() < 0.5 else list(pair.ledger)
        cmd = random_command(rng, PRICE_PROFILES[profile], clock, live)
        pair.apply(cmd, via_batch=rng.random() < 0.5)
    return pair


def test_seeded_differential_20000_operations():
    """Deterministic volume: 4 runs x 5,000 operations, both price profiles and both tick regimes."""
    before = OPS["count"]
    fills = 0
    for seed, regime, profile in [(1, TickRegime.PENNY_2005, "around_one_dollar"),
                                  (2, TickRegime.PENNY_2005, "around_ten_dollars"),
                                  (3, TickRegime.HALF_PENNY_2024, "around_ten_dollars"),
                                  (4, TickRegime.HALF_PENNY_2024, "around_one_dollar")]:
        pair = run_seeded(seed, 5_000, regime, profile)
        fills += pair.book.last_sequence
    assert OPS["count"] - before == 20_000
    assert fills > 20_000  # the runs did real work, not just rejects


class BookComparison(RuleBasedStateMachine):
    """Hypothesis drives the same random operations, and shrinks any disagreement."""

    @initialize(regime=st.sampled_from([TickRegime.PENNY_2005, TickRegime.HALF_PENNY_2024]),
                profile=st.sampled_from(sorted(PRICE_PROFILES)))
    def start(self, regime, profile):
        self.pair = Pair(regime)
        self.prices = PRICE_PROFILES[profile]
        self.clock = 0

    def _ts(self, dt: int) -> int:
        self.clock += dt
        return self.clock

    def _cmd(self, **kw) -> dict:
        base = {"ts": 0, "order_id": 0, "new_order_id": 0, "price": 0, "quantity": 0, "display_quantity": 0,
                "participant": 0, "action": Action.NEW, "side": 0, "order_type": OrderType.LIMIT, "tif": 1,
                "stp": 0, "post_only": 0, "flags": 0, "reserved": 0, "lock_cross": 0}
        base.update(kw)
        return base

    def _some_id(self, data) -> int:
        live = list(self.pair.ledger)
        if live and data.draw(st.booleans()):
            return data.draw(st.sampled_from(live))
        return data.draw(st.integers(0, 40))

    @rule(data=st.data(), oid=st.integers(1, 40), side=st.sampled_from([1, 2]), qty=SIZES,
          tif=st.sampled_from([1, 1, 2, 3, 4]), dt=st.integers(0, 3), via_batch=st.booleans())
    def limit_order(self, data, oid, side, qty, tif, dt, via_batch):
        price = data.draw(st.sampled_from(self.prices))
        hidden = data.draw(st.sampled_from([0, 0, 0, 1]))
        display = 0 if hidden else data.draw(st.sampled_from([0, 0, 0, 0, 10, 50, 100]))
        post_only = data.draw(st.sampled_from([0, 0, 0, 1, 2])) if tif in (1, 2) else 0
        participant = data.draw(st.integers(0, 2))
        stp = data.draw(st.integers(0, 4))
        self.pair.apply(self._cmd(ts=self._ts(dt), order_id=oid, side=side, price=price, quantity=qty, tif=tif,
                                  flags=hidden, display_quantity=min(display, qty), post_only=post_only,
                                  participant=participant, stp=stp), via_batch)

    @rule(oid=st.integers(1, 40), side=st.sampled_from([1, 2]), qty=SIZES,
          tif=st.sampled_from([3, 4]), participant=st.integers(0, 2), stp=st.integers(0, 4),
          dt=st.integers(0, 3), via_batch=st.booleans())
    def market_order(self, oid, side, qty, tif, participant, stp, dt, via_batch):
        self.pair.apply(self._cmd(ts=self._ts(dt), order_id=oid, side=side, order_type=OrderType.MARKET,
                                  quantity=qty, tif=tif, participant=participant, stp=stp), via_batch)

    @rule(data=st.data(), dt=st.integers(0, 3), via_batch=st.booleans())
    def cancel(self, data, dt, via_batch):
        self.pair.apply(self._cmd(action=Action.CANCEL, ts=self._ts(dt), order_id=self._some_id(data)), via_batch)

    @rule(data=st.data(), qty=st.one_of(SIZES, st.integers(-1, 0)), dt=st.integers(0, 3), via_batch=st.booleans())
    def reduce(self, data, qty, dt, via_batch):
        self.pair.apply(self._cmd(action=Action.REDUCE, ts=self._ts(dt), order_id=self._some_id(data),
                                  quantity=qty), via_batch)

    @rule(data=st.data(), qty=st.one_of(SIZES, st.just(0)), new_id=st.sampled_from([0, 0, 0, 5, 17, 33]),
          dt=st.integers(0, 3), via_batch=st.booleans())
    def replace(self, data, qty, new_id, dt, via_batch):
        self.pair.apply(self._cmd(action=Action.REPLACE, ts=self._ts(dt), order_id=self._some_id(data),
                                  price=data.draw(st.sampled_from(self.prices)), quantity=qty,
                                  new_order_id=new_id), via_batch)

    @rule(tif=st.sampled_from([1, 2, 3]), dt=st.integers(0, 50), via_batch=st.booleans())
    def expire(self, tif, dt, via_batch):
        self.pair.apply(self._cmd(action=Action.EXPIRE, ts=self._ts(dt), tif=tif), via_batch)

    @rule(data=st.data(), via_batch=st.booleans())
    def bad_input(self, data, via_batch):
        """A record that is wrong in exactly one way, possibly with an old timestamp."""
        cmd = self._cmd(ts=self.clock - data.draw(st.sampled_from([0, 0, 1])), order_id=data.draw(st.integers(0, 40)),
                        side=1, price=self.prices[0], quantity=10)
        field, value = data.draw(st.sampled_from([
            ("side", 0), ("side", 9), ("order_type", 3), ("tif", 0), ("tif", 7), ("quantity", 0),
            ("quantity", -10), ("quantity", 2_000_000_000), ("price", -100), ("price", 0),
            ("price", 200_000_000_000), ("display_quantity", 11), ("post_only", 4), ("stp", 9), ("flags", 128),
            ("reserved", 1), ("action", 0), ("action", 77), ("order_id", 0), ("lock_cross", 4),
        ]))
        cmd[field] = value
        self.pair.apply(cmd, via_batch)

    @invariant()
    def sound(self):
        if hasattr(self, "pair"):
            assert self.pair.book.check_integrity() is None


TestBookComparison = BookComparison.TestCase
TestBookComparison.settings = settings(
    max_examples=150, stateful_step_count=60, deadline=None, suppress_health_check=list(HealthCheck),
)
