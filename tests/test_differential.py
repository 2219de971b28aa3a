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

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from engine import Action, OrderType, TickRegime
from support.pair import OPS, Pair, engine_orders
from support.random_commands import PRICE_PROFILES, SIZES, random_command


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
