"""Seeded, reproducible order flow that looks like a real book's.

A reference price takes a random walk on the tick grid. New limit orders land
near it with a heavy-tailed (Pareto) distance from the touch; cancels are about
as frequent as adds; replaces move orders; a few orders are marketable (IOC
limits through the touch, and market orders). Sizes are mostly round lots.
Prices are drawn in tick-index space, so a profile that starts at $1.00 puts
orders on both sides of the boundary, each on its own grid.

Cancels and replaces pick among the orders still live: the generator runs
what it has made through a shadow book every ``sync_every`` messages to learn
which orders executed. A few still name an order that executed since the last
sync, as real "too late to cancel" requests do; the book rejects them with
UNKNOWN_ORDER_ID.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from engine._core import Book
from engine.dtypes import COMMAND_DTYPE, QUOTE_DTYPE
from engine.enums import Action, OrderFlag, OrderType, PostOnly, Side, TickRegime, TimeInForce
from engine.prices import tick_index, tick_size

ONE_DOLLAR = 10_000
NINE_THIRTY_NS = 34_200_000_000_000  # 09:30:00 in ns after midnight


@dataclass(frozen=True)
class FlowProfile:
    """What a generated flow is made of. Probabilities are per message."""

    name: str
    start_price: int  #: units of $0.0001
    tick_regime: TickRegime = TickRegime.PENNY_2005
    p_new: float = 0.45  #: resting limit orders
    p_cancel: float = 0.38
    p_replace: float = 0.07
    p_marketable: float = 0.08  #: IOC limits through the touch, and market orders
    p_market_of_marketable: float = 0.25
    tail_alpha: float = 1.3  #: Pareto shape of the distance from the touch, in ticks
    max_distance: int = 400  #: ticks
    p_move: float = 0.004  #: chance per message that the reference price moves one tick
    p_hidden: float = 0.04
    p_reserve: float = 0.03
    p_post_only: float = 0.05
    participants: int = 40
    mean_gap_ns: int = 2_000


PROFILES: dict[str, FlowProfile] = {
    "ten_dollars": FlowProfile("ten_dollars", 100_500),
    "one_dollar": FlowProfile("one_dollar", 10_000),
    "half_penny": FlowProfile("half_penny", 100_500, tick_regime=TickRegime.HALF_PENNY_2024),
}


def price_at_indices(idx: np.ndarray, regime: TickRegime) -> np.ndarray:
    """Vectorised engine.price_at_index: units below $1.00, ticks above."""
    tick = tick_size(ONE_DOLLAR, regime)  # the core's grid above $1.00 (tests compare with price_at_index)
    idx = np.asarray(idx, dtype=np.int64)
    return np.where(idx < ONE_DOLLAR, idx, ONE_DOLLAR + (idx - ONE_DOLLAR) * tick)


def generate_flow(n: int, seed: int = 0, profile: str | FlowProfile = "ten_dollars",
                  start_ts: int = NINE_THIRTY_NS, sync_every: int = 256, return_mid: bool = False):
    """``n`` commands (``COMMAND_DTYPE``) of realistic flow for one symbol
    (with ``return_mid``, also the reference price's tick index per message)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n={n!r} must be a non-negative int")
    prof = PROFILES[profile] if isinstance(profile, str) else profile
    rng = np.random.default_rng(seed)
    out = np.zeros(n, dtype=COMMAND_DTYPE)
    if n == 0:
        return (out, np.zeros(0, dtype=np.int64)) if return_mid else out

    # Everything random is drawn up front; the loop only tracks live ids.
    out["ts"] = start_ts + np.cumsum(rng.exponential(prof.mean_gap_ns, n).astype(np.int64))
    kind = rng.random(n)
    sides = np.where(rng.random(n) < 0.5, Side.BUY, Side.SELL).astype(np.uint8)
    distance = np.minimum(np.floor(rng.pareto(prof.tail_alpha, n) * 2), prof.max_distance).astype(np.int64)
    moves = np.where(rng.random(n) < prof.p_move, np.where(rng.random(n) < 0.5, -1, 1), 0)
    mid = tick_index(prof.start_price, prof.tick_regime) + np.cumsum(moves)
    mid = np.maximum(mid, 1_000)
    sizes = rng.choice(np.array([100, 100, 100, 100, 200, 200, 300, 500, 1000]), n)
    odd = rng.random(n) < 0.1
    sizes[odd] = rng.integers(1, 100, odd.sum())
    attr = rng.random(n)
    participant = rng.integers(1, prof.participants + 1, n).astype(np.uint32)
    pick = rng.random(n)
    through = rng.integers(1, 4, n)
    keep_id = rng.random(n) < 0.5

    buy = sides == Side.BUY
    bid_px = price_at_indices(np.maximum(mid - 1 - distance, 1), prof.tick_regime)
    ask_px = price_at_indices(mid + 1 + distance, prof.tick_regime)
    aggressive_idx = np.where(buy, mid + through, mid - through)
    aggressive_px = price_at_indices(np.maximum(aggressive_idx, 1), prof.tick_regime)

    t_new = prof.p_new
    t_cancel = t_new + prof.p_cancel
    t_replace = t_cancel + prof.p_replace
    live: list[int] = []
    live_side: dict[int, bool] = {}  # id -> is a buy
    shadow = Book("shadow", tick_regime=prof.tick_regime)
    synced = 0
    next_id = 1
    # Only cancels and replaces read the live list; a flow without them skips the
    # shadow book, whose every sync costs O(resting) and made pure book building quadratic.
    needs_live = prof.p_cancel + prof.p_replace > 0
    for i in range(n):
        if needs_live and i - synced == sync_every:
            shadow.execute(out[synced:i])
            shadow.clear_events()
            synced = i
            resting = shadow.orders()
            live = resting["order_id"].tolist()
            live_side = dict(zip(live, (resting["side"] == Side.BUY).tolist(), strict=True))
        k = kind[i]
        rec = out[i]
        if (k >= t_new and k < t_replace) and live:
            j = int(pick[i] * len(live))
            oid = live[j]
            if k < t_cancel:
                rec["action"] = Action.CANCEL
                rec["order_id"] = oid
                live[j] = live[-1]
                live.pop()
                del live_side[oid]
            else:
                is_buy = live_side[oid]
                rec["action"] = Action.REPLACE
                rec["order_id"] = oid
                rec["price"] = bid_px[i] if is_buy else ask_px[i]
                rec["quantity"] = sizes[i]
                if not keep_id[i]:
                    rec["new_order_id"] = next_id
                    live[j] = next_id
                    del live_side[oid]
                    live_side[next_id] = is_buy
                    next_id += 1
            continue
        oid = next_id
        next_id += 1
        rec["action"] = Action.NEW
        rec["order_id"] = oid
        rec["side"] = sides[i]
        rec["quantity"] = sizes[i]
        rec["participant"] = participant[i]
        if k >= t_replace and k < t_replace + prof.p_marketable:
            if attr[i] < prof.p_market_of_marketable:
                rec["order_type"] = OrderType.MARKET
                rec["tif"] = TimeInForce.IOC
            else:
                rec["order_type"] = OrderType.LIMIT
                rec["tif"] = TimeInForce.IOC
                rec["price"] = aggressive_px[i]
            continue
        rec["order_type"] = OrderType.LIMIT
        rec["tif"] = TimeInForce.DAY
        rec["price"] = bid_px[i] if buy[i] else ask_px[i]
        a = attr[i]
        if a < prof.p_hidden:
            rec["flags"] = OrderFlag.HIDDEN
        elif a < prof.p_hidden + prof.p_reserve:
            rec["display_quantity"] = 100
            rec["quantity"] = max(int(sizes[i]) * 5, 500)
        elif a < prof.p_hidden + prof.p_reserve + prof.p_post_only:
            rec["post_only"] = PostOnly.REPRICE
        live.append(oid)
        live_side[oid] = bool(buy[i])
    return (out, mid) if return_mid else out


def generate_mixed(n: int, seed: int = 0, profile: str | FlowProfile = "ten_dollars", quote_share: float = 0.2,
                   venues: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A mixed workload of ``n`` operations: order flow from :func:`generate_flow`
    with quote updates from ``venues`` away venues among them (``quote_share`` of
    the operations). Away quotes sit zero to three ticks behind the reference
    price, so they sometimes lock the book's touch and the Rule 611 check binds.
    Returns ``(commands, quotes, schedule)``: ``schedule[i] >= 0`` is command
    ``schedule[i]``, ``schedule[i] < 0`` quote ``-schedule[i] - 1``."""
    if not 0 <= quote_share < 1:
        raise ValueError(f"quote_share={quote_share} must be in [0, 1)")

    prof = PROFILES[profile] if isinstance(profile, str) else profile
    rng = np.random.default_rng(seed + 1_000_003)
    n_quotes = int(round(n * quote_share))
    commands, mid = generate_flow(n - n_quotes, seed, prof, return_mid=True)
    is_quote = np.zeros(n, dtype=bool)
    is_quote[rng.choice(n, n_quotes, replace=False)] = True
    schedule = np.empty(n, dtype=np.int64)
    schedule[~is_quote] = np.arange(n - n_quotes)
    schedule[is_quote] = -np.arange(1, n_quotes + 1)
    # each quote takes the time and reference price of the command before it
    prev_cmd = np.maximum(np.cumsum(~is_quote) - 1, 0)[is_quote]
    quotes = np.zeros(n_quotes, dtype=QUOTE_DTYPE)
    if n_quotes and len(commands):
        q_mid = mid[prev_cmd]
        back_bid, back_ask = rng.integers(1, 5, n_quotes), rng.integers(1, 5, n_quotes)
        quotes["ts"] = commands["ts"][prev_cmd]
        quotes["venue"] = rng.integers(0, venues, n_quotes)
        quotes["bid_price"] = price_at_indices(np.maximum(q_mid - back_bid, 1), prof.tick_regime)
        quotes["ask_price"] = price_at_indices(q_mid + back_ask, prof.tick_regime)
        quotes["bid_size"] = rng.integers(1, 6, n_quotes) * 100
        quotes["ask_size"] = rng.integers(1, 6, n_quotes) * 100
    return commands, quotes, schedule


def resting_orders(n: int, seed: int = 0, profile: str | FlowProfile = "ten_dollars") -> np.ndarray:
    """``n`` new DAY limit orders that never cross one another (bids below, offers
    above the start price): a workload of pure book building."""
    prof = PROFILES[profile] if isinstance(profile, str) else profile
    flow = generate_flow(n, seed, replace(prof, p_new=1.0, p_cancel=0.0, p_replace=0.0, p_marketable=0.0,
                                          p_move=0.0, p_post_only=0.0))
    return flow


__all__ = ["FlowProfile", "PROFILES", "generate_flow", "generate_mixed", "price_at_indices", "resting_orders"]
