"""The sample book the snapshot tests save, damage and load: one of everything
a snapshot carries."""
from __future__ import annotations

from engine import LockCrossMode, ProtectedBook, Side
from engine._core import load_snapshot


def book() -> ProtectedBook:
    """Orders of every kind, quotes with look-back history, self-help, fees, a slid order."""
    b = ProtectedBook("S", venues=["X", "Y", "Z"])
    b.update_quote("X", 100_300, 300, 0, 0, ts=10)
    b.update_quote("Y", 0, 0, 100_700, 200, ts=11)
    b.update_quote("Y", 0, 0, 100_800, 200, ts=12)
    b.submit(1, Side.SELL, 100_900, 500, ts=13, display_quantity=100)  # reserve: orders[...] in priority order
    b.submit(2, Side.BUY, 100_200, 100, ts=14)
    b.submit(3, Side.BUY, 100_100, 200, ts=15, hidden=True)
    b.submit(4, Side.BUY, 101_000, 100, ts=16, lock_cross=LockCrossMode.SLIDE)  # slides against Y
    b.declare_self_help("Z", start=5, end=6, ts=17)
    b.set_fee_schedule(take_fee_nd=1_234_567)
    b.configure(flicker_window_ns=987_654_321)
    b.take_events()
    return b


def load(data: bytes) -> ProtectedBook:
    return load_snapshot(data, "S", venues=["X", "Y", "Z"])
