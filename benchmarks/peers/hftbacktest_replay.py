"""hftbacktest driven the same way wherever a benchmark compares with it: the
flow as price-level depth events, the backtest built before timing, and the
events replayed in one timed call."""
from __future__ import annotations

from typing import Any

import numpy as np


def depth_events(h: Any, is_bid: np.ndarray, price_units: np.ndarray, qty: np.ndarray) -> np.ndarray:
    """Depth events setting each level's new total (``qty``; 0 removes it),
    1 µs apart; prices from $0.0001 units to hftbacktest's floats."""
    ev = np.zeros(len(is_bid), dtype=h.event_dtype)
    base = h.DEPTH_EVENT | h.EXCH_EVENT | h.LOCAL_EVENT
    ev["ev"] = np.where(np.asarray(is_bid, dtype=bool), base | h.BUY_EVENT, base | h.SELL_EVENT)
    ev["exch_ts"] = ev["local_ts"] = np.arange(1, len(ev) + 1) * 1_000
    ev["px"] = np.asarray(price_units) / 10_000
    ev["qty"] = qty
    return ev


def replay(benchmark: Any, h: Any, ev: np.ndarray, rounds: int) -> Any:
    """Time replaying ``ev`` through a fresh backtest each round; returns the
    last backtest (the caller checks its book, then closes it)."""
    end = int(ev["exch_ts"][-1]) + 1_000
    state = {}

    def setup():  # building the backtest is not timed; replaying the events is
        asset = (h.BacktestAsset().data(ev).linear_asset(1.0).constant_order_latency(0, 0)
                 .risk_adverse_queue_model().no_partial_fill_exchange().trading_value_fee_model(0.0, 0.0)
                 .tick_size(0.01).lot_size(1.0))
        state["hbt"] = h.HashMapMarketDepthBacktest([asset])
        return (), {}

    def run():
        state["hbt"].elapse(end)
        return state["hbt"]

    return benchmark.pedantic(run, setup=setup, rounds=rounds, iterations=1, warmup_rounds=1)


__all__ = ["depth_events", "replay"]
