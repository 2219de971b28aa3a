"""The pair harness: the C++ book and the pure-Python reference book side by
side, fed the same commands, their events and books compared after each step,
and every share accounted for from the events alone."""
from __future__ import annotations

import numpy as np

from engine import Action, Book, EventType, Side, new_commands
from support.reference_book import ReferenceBook

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
