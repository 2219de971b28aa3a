"""The sub-penny cost estimate, by the OEA memo's method (seed 001: "Sub-penny
Trading Costs", December 2004).

Among regular-way trades at or above $1.00, the share of trades and of share
volume printed in a sub-penny increment, and the cost of pricing each at the
near-side penny instead: the price difference times the shares ($25.248 for
300 shares is $0.60 against $25.25; $25.242 is $0.002 a share against $25.24;
a price halfway costs half a cent either way). Per day, and annualised over
252 trading days from the mean day. Prints with a sale condition that is not
regular way (average price / VWAP, derivatively priced, extended hours, cash,
next day, seller, late or out of sequence, contingent) are left out and
counted by reason; so are prints below $1.00.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.surveil.trades import EXCLUDED_CONDITIONS, MICROS_PER_DOLLAR, Tape

PENNY = MICROS_PER_DOLLAR // 100  # micro-dollars
TRADING_DAYS = 252
#: price bands (dollars) the sub-penny share is also reported by
PRICE_BANDS = [(1, 5), (5, 10), (10, 20), (20, 50), (50, 100), (100, None)]


@dataclass
class SubPennyResult:
    """The estimate, overall and per day and per price band."""

    trades: int  # regular-way trades at or above $1.00 (the sample)
    shares: int
    subpenny_trades: int
    subpenny_shares: int
    cost: float  # dollars over the whole tape
    days: dict[str, dict] = field(default_factory=dict)  # day -> the same figures for that day
    bands: dict[str, dict] = field(default_factory=dict)  # "$1-5" -> trades, subpenny share, ...
    venues: dict[str, dict] = field(default_factory=dict)  # reporting venue -> the same figures
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> prints left out

    @property
    def trade_share(self) -> float:
        return self.subpenny_trades / self.trades if self.trades else 0.0

    @property
    def volume_share(self) -> float:
        return self.subpenny_shares / self.shares if self.shares else 0.0

    @property
    def daily_cost(self) -> float:
        return self.cost / len(self.days) if self.days else 0.0

    @property
    def annual_cost(self) -> float:
        return self.daily_cost * TRADING_DAYS

    def summary(self) -> str:
        lines = [
            f"sub-penny trading (OEA memo method): {self.trades:,} regular-way trades at or above $1.00,"
            f" {self.shares:,} shares",
            f"  in a sub-penny increment: {self.subpenny_trades:,} trades ({100 * self.trade_share:.2f}%),"
            f" {self.subpenny_shares:,} shares ({100 * self.volume_share:.2f}% of volume)",
            f"  cost of the near-side penny: ${self.cost:,.2f} over {len(self.days)} day(s), ${self.daily_cost:,.2f}"
            f" a day, ${self.annual_cost:,.0f} a year ({TRADING_DAYS} days)",
        ]
        for day, d in self.days.items():
            lines.append(f"  {day}: {d['trades']:,} trades, {d['subpenny_trades']:,} sub-penny"
                         f" ({100 * d['trade_share']:.2f}%), cost ${d['cost']:,.2f}")
        for venue, v in sorted(self.venues.items(), key=lambda kv: -kv[1]["subpenny_trades"])[:5]:
            lines.append(f"  venue {venue}: {v['trades']:,} trades, {v['subpenny_trades']:,} sub-penny"
                         f" ({100 * v['trade_share']:.2f}%), cost ${v['cost']:,.2f}")
        if self.excluded:
            lines.append("  left out: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.excluded.items())))
        return "\n".join(lines)


def _excluded(conditions: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
    """Which prints a sale condition leaves out, and how many for each reason
    (a print with two such conditions counts under the first)."""
    out = np.zeros(len(conditions), dtype=bool)
    reasons: dict[str, int] = {}
    for i, text in enumerate(conditions.tolist()):
        for c in text:
            if c in EXCLUDED_CONDITIONS:
                out[i] = True
                reason = EXCLUDED_CONDITIONS[c]
                reasons[reason] = reasons.get(reason, 0) + 1
                break
    return out, reasons


def _figures(price: np.ndarray, size: np.ndarray) -> dict:
    off = price % PENNY
    sub = off != 0
    cost_micros = np.minimum(off, PENNY - off)[sub] * size[sub]
    trades, shares = len(price), int(size.sum())
    return {"trades": trades, "shares": shares, "subpenny_trades": int(sub.sum()),
            "subpenny_shares": int(size[sub].sum()), "cost": float(cost_micros.sum()) / MICROS_PER_DOLLAR,
            "trade_share": float(sub.sum() / trades) if trades else 0.0,
            "volume_share": float(size[sub].sum() / shares) if shares else 0.0}


def subpenny_cost(tape: Tape) -> SubPennyResult:
    """The estimate for a tape (see the module)."""
    excluded, reasons = _excluded(tape.conditions)
    below = tape.price < MICROS_PER_DOLLAR
    if (below & ~excluded).any():
        reasons["priced below $1.00"] = int((below & ~excluded).sum())
    keep = ~excluded & ~below
    price, size, day = tape.price[keep], tape.size[keep], tape.day[keep]
    total = _figures(price, size)
    days = {d: _figures(price[day == d], size[day == d]) for d in sorted(set(day.tolist()))}
    bands = {}
    for lo, hi in PRICE_BANDS:
        mine = (price >= lo * MICROS_PER_DOLLAR) & ((price < hi * MICROS_PER_DOLLAR) if hi else True)
        if mine.any():
            bands[f"${lo}-{hi}" if hi else f"${lo}+"] = _figures(price[mine], size[mine])
    venue = tape.venue[keep]
    venues = {name: _figures(price[venue == i], size[venue == i]) for i, name in enumerate(tape.venues)
              if (venue == i).any()}
    return SubPennyResult(total["trades"], total["shares"], total["subpenny_trades"], total["subpenny_shares"],
                          total["cost"], days, bands, venues, reasons)


__all__ = ["PRICE_BANDS", "SubPennyResult", "TRADING_DAYS", "subpenny_cost"]
