"""One workload for every peer: a stock's generated ITCH flow (adds, deletes,
partial cancels, executions, replaces), translated before timing into each
engine's own inputs, so only the book operations are timed."""
from __future__ import annotations

from dataclasses import dataclass

from engine import FeedKind, Side
from engine._core import ItchDecoder, generate_itch

MESSAGES = 60_000  # order messages for the one stock


@dataclass
class Op:
    kind: str  # "add", "take" (partial cancel or execution), "delete", "replace"
    order_id: int
    side: int
    price: int
    qty: int  # add: size; take/delete: shares removed; replace: the new order's size
    new_id: int = 0  # replace: the new order's id
    old_price: int = 0  # replace: the old order's price
    old_qty: int = 0  # replace: the old order's shares


def book_building_ops(messages: int = MESSAGES, seed: int = 7) -> list[Op]:
    raw = generate_itch(messages, 1, seed)
    recs, _ = ItchDecoder().decode(raw, True)
    orders: dict[int, list[int]] = {}  # id -> [side, price, shares]
    ops: list[Op] = []
    for _ts, oid, new_id, price, qty, _loc, kind, side, _code in recs.tolist():
        if kind == FeedKind.ADD:
            orders[oid] = [side, price, qty]
            ops.append(Op("add", oid, side, price, qty))
        elif kind in (FeedKind.CANCEL, FeedKind.EXECUTE, FeedKind.EXECUTE_AT_PRICE):
            o = orders[oid]
            o[2] -= qty
            if o[2] == 0:
                del orders[oid]
                ops.append(Op("delete", oid, o[0], o[1], qty))
            else:
                ops.append(Op("take", oid, o[0], o[1], qty))
        elif kind == FeedKind.DELETE:
            o = orders.pop(oid)
            ops.append(Op("delete", oid, o[0], o[1], o[2]))
        elif kind == FeedKind.REPLACE:
            o = orders.pop(oid)
            orders[new_id] = [o[0], price, qty]
            ops.append(Op("replace", oid, o[0], price, qty, new_id=new_id, old_price=o[1], old_qty=o[2]))
    return ops


def final_best_bid(ops: list[Op]) -> int:
    """The best bid the workload leaves, computed without any engine."""
    live: dict[int, tuple[int, int]] = {}
    for op in ops:
        if op.kind == "add":
            live[op.order_id] = (op.side, op.price)
        elif op.kind == "delete":
            live.pop(op.order_id)
        elif op.kind == "replace":
            live.pop(op.order_id)
            live[op.new_id] = (op.side, op.price)
    return max(p for s, p in live.values() if s == Side.BUY)


def level_updates(ops: list[Op]) -> list[tuple[bool, int, int]]:
    """The same flow as price-level updates (is_bid, price, new total size; 0
    removes the level), for books that keep levels only."""
    levels: dict[tuple[int, int], int] = {}
    out = []
    for op in ops:
        if op.kind == "add":
            changes = [(op.price, op.qty)]
        elif op.kind in ("take", "delete"):
            changes = [(op.price, -op.qty)]
        else:
            changes = [(op.old_price, -op.old_qty), (op.price, op.qty)]
        for price, delta in changes:
            key = (op.side, price)
            levels[key] = levels.get(key, 0) + delta
            out.append((op.side == Side.BUY, price, levels[key]))
    return out
