"""A small, slow, obviously-correct order book in pure Python.

It implements the same rules as the C++ book (docs/BOOK.md) with plain lists
and dicts, so the differential test can run both on the same commands and
compare every event and the whole book after every step. It shares no code
with the engine: only the enum values and the grid rules, restated here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.enums import (
    Action,
    EventFlag,
    EventType,
    Liquidity,
    OrderFlag,
    OrderType,
    PostOnly,
    Reason,
    Side,
    StpMode,
    TimeInForce,
)

MAX_PRICE = 100_000_000_000
MAX_QUANTITY = 1_000_000_000
ONE_DOLLAR = 10_000
INT64_MIN = -(2**63)


def tick_above_dollar(regime: int) -> int:
    return 50 if regime == 1 else 100


def on_grid(p: int, regime: int) -> bool:
    return p < ONE_DOLLAR or p % tick_above_dollar(regime) == 0


def next_valid(p: int, regime: int) -> int:
    if p < ONE_DOLLAR:
        return p + 1
    t = tick_above_dollar(regime)
    return (p // t + 1) * t


def prev_valid(p: int, regime: int) -> int:
    if p <= ONE_DOLLAR:
        return p - 1 if p > 1 else 0
    t = tick_above_dollar(regime)
    return ((p - 1) // t) * t


@dataclass
class RefOrder:
    order_id: int
    side: int
    price: int
    ts: int
    shown: int
    reserve: int
    peak: int
    filled: int
    participant: int
    tif: int
    stp: int
    post_only: int
    hidden: bool
    routable: bool = False
    lock_cross: int = 0

    @property
    def leaves(self) -> int:
        return self.shown + self.reserve


@dataclass
class RefEvent:
    type: int
    order_id: int
    side: int = 0
    price: int = 0
    quantity: int = 0
    leaves: int = 0
    contra_id: int = 0
    contra_leaves: int = 0
    reason: int = 0
    liquidity: int = 0
    flags: int = 0
    ts: int = 0
    seq: int = 0


@dataclass
class _Taker:
    order_id: int
    side: int
    market: bool
    limit: int
    remaining: int
    filled: int
    participant: int
    stp: int
    hidden: bool
    ts: int
    stopped: bool = False
    routable: bool = False
    lock_cross: int = 1
    iso: bool = False


def _crosses(side: int, limit: int, contra_price: int) -> bool:
    return limit >= contra_price if side == Side.BUY else limit <= contra_price


@dataclass
class ReferenceBook:
    regime: int = 0
    # price -> (displayed queue, hidden queue), per side
    levels: dict[int, dict[int, tuple[list[RefOrder], list[RefOrder]]]] = field(
        default_factory=lambda: {Side.BUY: {}, Side.SELL: {}}
    )
    orders: dict[int, RefOrder] = field(default_factory=dict)
    events: list[RefEvent] = field(default_factory=list)
    seq: int = 0
    last_ts: int = INT64_MIN

    # ------------------------------------------------------------ helpers
    def _emit(self, **kw) -> RefEvent:
        self.seq += 1
        e = RefEvent(seq=self.seq, **kw)
        self.events.append(e)
        return e

    def _reject(self, ts, order_id, side, price, quantity, reason) -> None:
        self._emit(type=EventType.REJECTED, ts=ts, order_id=order_id, side=side, price=price,
                   quantity=quantity, reason=reason)

    def _sorted_prices(self, side: int) -> list[int]:
        return sorted(self.levels[side], reverse=(side == Side.BUY))

    def _best(self, side: int) -> int | None:
        prices = self.levels[side]
        if not prices:
            return None
        return max(prices) if side == Side.BUY else min(prices)

    def _queue_of(self, o: RefOrder) -> list[RefOrder]:
        disp, hid = self.levels[o.side][o.price]
        return hid if o.hidden else disp

    def _add_resting(self, o: RefOrder) -> None:
        lv = self.levels[o.side].setdefault(o.price, ([], []))
        (lv[1] if o.hidden else lv[0]).append(o)
        self.orders[o.order_id] = o

    def _remove_resting(self, o: RefOrder) -> None:
        self._queue_of(o).remove(o)
        disp, hid = self.levels[o.side][o.price]
        if not disp and not hid:
            del self.levels[o.side][o.price]
        del self.orders[o.order_id]

    def _cancel_resting(self, o: RefOrder, ts: int, reason: int, etype=EventType.CANCELLED) -> None:
        self._emit(type=etype, ts=ts, order_id=o.order_id, side=o.side, price=o.price,
                   quantity=o.leaves, reason=reason)
        self._remove_resting(o)

    def _shrink(self, o: RefOrder, cut: int) -> None:
        from_reserve = min(cut, o.reserve)
        o.reserve -= from_reserve
        o.shown -= cut - from_reserve

    def _post_only_price(self, side: int, mode: int, limit: int) -> tuple[int | None, int]:
        """(rest price, reject reason or 0)."""
        best = self._best(Side.SELL if side == Side.BUY else Side.BUY)
        if best is None or not _crosses(side, limit, best):
            return limit, 0
        if mode == PostOnly.REJECT:
            return None, Reason.POST_ONLY_WOULD_REMOVE
        p = prev_valid(best, self.regime) if side == Side.BUY else next_valid(best, self.regime)
        if p <= 0 or p > MAX_PRICE:
            return None, Reason.POST_ONLY_WOULD_REMOVE
        return p, 0

    # ------------------------------------------------------------ commands
    def execute(self, c: dict) -> None:
        action = c["action"]
        if action == Action.NEW:
            self.submit(c)
        elif action == Action.CANCEL:
            self.cancel(c["ts"], c["order_id"])
        elif action == Action.REPLACE:
            self.replace(c["ts"], c["order_id"], c["new_order_id"], c["price"], c["quantity"])
        elif action == Action.REDUCE:
            self.reduce(c["ts"], c["order_id"], c["quantity"])
        elif action == Action.EXPIRE:
            self.expire(c["ts"], c["tif"])
        else:
            self._reject(c["ts"], c["order_id"], c["side"], c["price"], c["quantity"], Reason.INVALID_ACTION)

    def _validate_new(self, c: dict) -> int:
        if c["ts"] < self.last_ts:
            return Reason.TIMESTAMP_REGRESSION
        if c["order_id"] == 0:
            return Reason.INVALID_ORDER_ID
        if c["order_id"] in self.orders:
            return Reason.DUPLICATE_ORDER_ID
        if c["side"] not in (1, 2):
            return Reason.INVALID_SIDE
        if c["order_type"] not in (1, 2):
            return Reason.INVALID_ORDER_TYPE
        market = c["order_type"] == OrderType.MARKET
        if c["tif"] not in (1, 2, 3, 4) or (market and c["tif"] in (TimeInForce.DAY, TimeInForce.GTC)):
            return Reason.INVALID_TIME_IN_FORCE
        q = c["quantity"]
        if q <= 0:
            return Reason.INVALID_QUANTITY
        if q > MAX_QUANTITY:
            return Reason.QUANTITY_OUT_OF_RANGE
        p = c["price"]
        if market:
            if p != 0:
                return Reason.INVALID_PRICE
        else:
            if p <= 0:
                return Reason.INVALID_PRICE
            if p > MAX_PRICE:
                return Reason.PRICE_OUT_OF_RANGE
            if not on_grid(p, self.regime):
                return Reason.PRICE_NOT_ON_TICK
        if c["display_quantity"] < 0 or c["display_quantity"] > q:
            return Reason.INVALID_DISPLAY_QUANTITY
        if c["post_only"] > 2:
            return Reason.INVALID_POST_ONLY
        if c["stp"] > 4:
            return Reason.INVALID_STP_MODE
        if c["flags"] >> 7 or c.get("reserved", 0):
            return Reason.INVALID_FLAGS
        if c.get("lock_cross", 0) > 3:
            return Reason.INVALID_LOCK_CROSS_MODE
        hidden = bool(c["flags"] & OrderFlag.HIDDEN)
        iso = bool(c["flags"] & OrderFlag.ISO)
        if iso and market:
            return Reason.ISO_REQUIRES_LIMIT
        immediate = c["tif"] in (TimeInForce.IOC, TimeInForce.FOK)
        if c["post_only"] and (market or immediate):
            return Reason.INCOMPATIBLE_INSTRUCTIONS
        if c["display_quantity"] > 0 and (hidden or market):
            return Reason.INCOMPATIBLE_INSTRUCTIONS
        if hidden and market:
            return Reason.INCOMPATIBLE_INSTRUCTIONS
        if iso and (c["flags"] & OrderFlag.ROUTABLE or c["post_only"]):
            return Reason.INCOMPATIBLE_INSTRUCTIONS
        return 0

    def submit(self, c: dict) -> None:
        ts, oid, side, price, qty = c["ts"], c["order_id"], c["side"], c["price"], c["quantity"]
        reason = self._validate_new(c)
        if reason:
            return self._reject(ts, oid, side, price, qty, reason)
        market = c["order_type"] == OrderType.MARKET
        contra_side = Side.SELL if side == Side.BUY else Side.BUY
        if market and not self.levels[contra_side]:
            return self._reject(ts, oid, side, price, qty, Reason.NO_LIQUIDITY)
        rest_price = price
        if c["post_only"]:
            rest_price, reason = self._post_only_price(side, c["post_only"], price)
            if reason:
                return self._reject(ts, oid, side, price, qty, reason)
        self.last_ts = ts
        self._emit(type=EventType.ACCEPTED, ts=ts, order_id=oid, side=side, price=price,
                   quantity=qty, leaves=qty)
        t = _Taker(oid, side, market, price, qty, 0, c["participant"], c["stp"], bool(c["flags"] & 1), ts)
        t.routable = bool(c["flags"] & OrderFlag.ROUTABLE)
        t.iso = bool(c["flags"] & OrderFlag.ISO)
        t.lock_cross = c.get("lock_cross", 0) or 1  # DEFAULT resolves to SLIDE
        if rest_price != price:
            self._emit(type=EventType.REPRICED, ts=ts, order_id=oid, side=side, price=rest_price,
                       leaves=qty, reason=Reason.POST_ONLY_REPRICED)
        elif not c["post_only"]:
            if c["tif"] == TimeInForce.FOK and not self._fok_fillable(t):
                self._cancel_taker(t, Reason.FOK_NOT_FILLABLE)
                return None
            self._match(t)
        self._finish(t, c["tif"], rest_price, c["display_quantity"], c["post_only"])
        return None

    def _fok_fillable(self, t: _Taker) -> bool:
        contra = Side.SELL if t.side == Side.BUY else Side.BUY
        need = t.remaining
        stp = t.stp != StpMode.NONE and t.participant != 0
        for p in self._sorted_prices(contra):
            if not t.market and not _crosses(t.side, t.limit, p):
                break
            disp, hid = self.levels[contra][p]
            available = 0
            for o in disp + hid:
                if stp and o.participant == t.participant:
                    if t.stp != StpMode.CANCEL_OLDEST:
                        return False
                    continue
                available += o.leaves
            if available >= need:
                return True
            need -= available
        return False

    def _match(self, t: _Taker) -> None:
        contra = Side.SELL if t.side == Side.BUY else Side.BUY
        while t.remaining > 0 and self.levels[contra]:
            p = self._best(contra)
            if not t.market and not _crosses(t.side, t.limit, p):
                break
            disp, hid = self.levels[contra][p]
            while t.remaining > 0 and (disp or hid):
                m = disp[0] if disp else hid[0]
                if t.stp != StpMode.NONE and t.participant != 0 and m.participant == t.participant:
                    self._prevent_self_trade(t, m, disp, hid)
                    continue
                q = min(t.remaining, m.shown)
                m.shown -= q
                m.filled += q
                t.remaining -= q
                t.filled += q
                self._emit(type=EventType.FILL, ts=t.ts, order_id=t.order_id, side=t.side, price=m.price,
                           quantity=q, leaves=t.remaining, contra_id=m.order_id, contra_leaves=m.leaves,
                           liquidity=Liquidity.MAKER_HIDDEN if m.hidden else Liquidity.MAKER_DISPLAYED,
                           flags=(EventFlag.TAKER_HIDDEN if t.hidden else 0) | (EventFlag.ISO if t.iso else 0))
                if m.shown:
                    continue
                queue = hid if m.hidden else disp
                queue.remove(m)
                if m.reserve:
                    m.shown = min(m.peak, m.reserve)
                    m.reserve -= m.shown
                    m.ts = t.ts
                    queue.append(m)
                    self._emit(type=EventType.REFRESHED, ts=t.ts, order_id=m.order_id, side=m.side,
                               price=m.price, quantity=m.shown, leaves=m.leaves)
                else:
                    del self.orders[m.order_id]
            if not disp and not hid:
                del self.levels[contra][p]

    def _prevent_self_trade(self, t: _Taker, m: RefOrder, disp: list, hid: list) -> None:
        def drop_maker(reason: int) -> None:
            self._emit(type=EventType.CANCELLED, ts=t.ts, order_id=m.order_id, side=m.side,
                       price=m.price, quantity=m.leaves, reason=reason)
            (hid if m.hidden else disp).remove(m)
            del self.orders[m.order_id]  # the level is dropped by _match

        if t.stp == StpMode.CANCEL_NEWEST:
            self._cancel_taker(t, Reason.STP_CANCEL_NEWEST)
        elif t.stp == StpMode.CANCEL_OLDEST:
            drop_maker(Reason.STP_CANCEL_OLDEST)
        elif t.stp == StpMode.CANCEL_BOTH:
            drop_maker(Reason.STP_CANCEL_BOTH)
            self._cancel_taker(t, Reason.STP_CANCEL_BOTH)
        elif t.stp == StpMode.DECREMENT:
            d = min(t.remaining, m.leaves)
            if d == m.leaves:
                drop_maker(Reason.STP_DECREMENT)
            else:
                self._shrink(m, d)
                self._emit(type=EventType.REDUCED, ts=t.ts, order_id=m.order_id, side=m.side, price=m.price,
                           quantity=d, leaves=m.leaves, reason=Reason.STP_DECREMENT,
                           flags=EventFlag.PRIORITY_KEPT)
            if d == t.remaining:
                self._cancel_taker(t, Reason.STP_DECREMENT)
            else:
                t.remaining -= d
                self._emit(type=EventType.REDUCED, ts=t.ts, order_id=t.order_id, side=t.side, price=t.limit,
                           quantity=d, leaves=t.remaining, reason=Reason.STP_DECREMENT)

    def _cancel_taker(self, t: _Taker, reason: int) -> None:
        self._emit(type=EventType.CANCELLED, ts=t.ts, order_id=t.order_id, side=t.side, price=t.limit,
                   quantity=t.remaining, reason=reason)
        t.remaining = 0
        t.stopped = True

    def _finish(self, t: _Taker, tif: int, rest_price: int, display: int, post_only: int) -> None:
        if t.remaining == 0 or t.stopped:
            return
        if t.market or tif in (TimeInForce.IOC, TimeInForce.FOK):
            self._cancel_taker(t, Reason.IOC_REMAINDER)
            return
        shown = min(display, t.remaining) if display > 0 and not t.hidden else t.remaining
        self._add_resting(RefOrder(
            order_id=t.order_id, side=t.side, price=rest_price, ts=t.ts, shown=shown,
            reserve=t.remaining - shown, peak=display, filled=t.filled, participant=t.participant,
            tif=tif, stp=t.stp, post_only=post_only, hidden=t.hidden, routable=t.routable,
            lock_cross=t.lock_cross,
        ))

    def cancel(self, ts: int, order_id: int) -> None:
        if ts < self.last_ts:
            return self._reject(ts, order_id, 0, 0, 0, Reason.TIMESTAMP_REGRESSION)
        o = self.orders.get(order_id)
        if o is None:
            return self._reject(ts, order_id, 0, 0, 0, Reason.UNKNOWN_ORDER_ID)
        self.last_ts = ts
        self._cancel_resting(o, ts, Reason.USER_CANCEL)
        return None

    def reduce(self, ts: int, order_id: int, quantity: int) -> None:
        if ts < self.last_ts:
            return self._reject(ts, order_id, 0, 0, quantity, Reason.TIMESTAMP_REGRESSION)
        o = self.orders.get(order_id)
        if o is None:
            return self._reject(ts, order_id, 0, 0, quantity, Reason.UNKNOWN_ORDER_ID)
        if quantity <= 0:
            return self._reject(ts, order_id, o.side, o.price, quantity, Reason.INVALID_QUANTITY)
        if quantity > o.leaves:
            return self._reject(ts, order_id, o.side, o.price, quantity, Reason.QUANTITY_EXCEEDS_LEAVES)
        self.last_ts = ts
        if quantity == o.leaves:
            self._cancel_resting(o, ts, Reason.USER_CANCEL)
            return None
        self._shrink(o, quantity)
        self._emit(type=EventType.REDUCED, ts=ts, order_id=order_id, side=o.side, price=o.price,
                   quantity=quantity, leaves=o.leaves, reason=Reason.USER_CANCEL, flags=EventFlag.PRIORITY_KEPT)
        return None

    def replace(self, ts: int, order_id: int, new_id: int, price: int, quantity: int) -> None:
        if ts < self.last_ts:
            return self._reject(ts, order_id, 0, price, quantity, Reason.TIMESTAMP_REGRESSION)
        o = self.orders.get(order_id)
        if o is None:
            return self._reject(ts, order_id, 0, price, quantity, Reason.UNKNOWN_ORDER_ID)
        new_id = new_id or order_id
        if new_id != order_id and new_id in self.orders:
            return self._reject(ts, order_id, o.side, price, quantity, Reason.DUPLICATE_ORDER_ID)
        reason = 0
        if quantity <= 0:
            reason = Reason.INVALID_QUANTITY
        elif quantity > MAX_QUANTITY:
            reason = Reason.QUANTITY_OUT_OF_RANGE
        elif price <= 0:
            reason = Reason.INVALID_PRICE
        elif price > MAX_PRICE:
            reason = Reason.PRICE_OUT_OF_RANGE
        elif not on_grid(price, self.regime):
            reason = Reason.PRICE_NOT_ON_TICK
        if reason:
            return self._reject(ts, order_id, o.side, price, quantity, reason)
        keep = price == o.price and quantity <= o.leaves
        rest_price = price
        if not keep and o.post_only:
            rest_price, reason = self._post_only_price(o.side, o.post_only, price)
            if reason:
                return self._reject(ts, order_id, o.side, price, quantity, reason)
        self.last_ts = ts
        if keep:
            if quantity < o.leaves:
                self._shrink(o, o.leaves - quantity)
            if new_id != order_id:
                del self.orders[order_id]
                o.order_id = new_id
                self.orders[new_id] = o
            self._emit(type=EventType.REPLACED, ts=ts, order_id=order_id, contra_id=new_id, side=o.side,
                       price=price, quantity=quantity, leaves=quantity, flags=EventFlag.PRIORITY_KEPT)
            return None
        self._remove_resting(o)
        self._emit(type=EventType.REPLACED, ts=ts, order_id=order_id, contra_id=new_id, side=o.side,
                   price=price, quantity=quantity, leaves=quantity)
        t = _Taker(new_id, o.side, False, price, quantity, o.filled, o.participant, o.stp, o.hidden, ts,
                   routable=o.routable, lock_cross=o.lock_cross)
        if rest_price != price:
            self._emit(type=EventType.REPRICED, ts=ts, order_id=new_id, side=o.side, price=rest_price,
                       leaves=quantity, reason=Reason.POST_ONLY_REPRICED)
        elif not o.post_only:
            self._match(t)
        self._finish(t, o.tif, rest_price, o.peak, o.post_only)
        return None

    def expire(self, ts: int, tif: int) -> None:
        if ts < self.last_ts:
            return self._reject(ts, 0, 0, 0, 0, Reason.TIMESTAMP_REGRESSION)
        if tif not in (TimeInForce.DAY, TimeInForce.GTC):
            return self._reject(ts, 0, 0, 0, 0, Reason.INVALID_TIME_IN_FORCE)
        self.last_ts = ts
        for o in [o for o in self.snapshot() if o.tif == tif]:
            self._cancel_resting(o, ts, Reason.END_OF_DAY, EventType.EXPIRED)
        return None

    # ------------------------------------------------------------ queries
    def snapshot(self) -> list[RefOrder]:
        """Every resting order in priority order: bids best first, then offers;
        displayed before hidden at each price."""
        out: list[RefOrder] = []
        for side in (Side.BUY, Side.SELL):
            for p in self._sorted_prices(side):
                disp, hid = self.levels[side][p]
                out.extend(disp)
                out.extend(hid)
        return out

    def depth(self, side: int) -> list[tuple[int, int, int]]:
        """(price, displayed quantity, displayed orders) of every displayed level, best first."""
        out = []
        for p in self._sorted_prices(side):
            disp, _ = self.levels[side][p]
            if disp:
                out.append((p, sum(o.shown for o in disp), len(disp)))
        return out
