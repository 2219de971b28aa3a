"""Generated TAQ files of several symbols and days, with the cases the audit
and the sub-penny estimate tell apart: quotes from several venues (some
crossed), prints inside and through them, ISO, extended-hours and corrected
prints, sub-penny prices, and a symbol that has trades but no quotes."""
from __future__ import annotations

from pathlib import Path

import numpy as np

VENUES = ["A", "B", "N", "P", "Z"]


def write_taq(folder: Path, symbols=("AAA", "BBB", "CCC"), days=("2024-03-01", "2024-03-04"), trades_per_piece=400,
              quotes_per_piece=800, seed=0, unquoted="CCC") -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    trade_rows, quote_rows = [], []
    for d, day in enumerate(days):
        for s, sym in enumerate(symbols):
            base = 20 + 15 * s + d
            qt = np.sort(rng.uniform(9.5 * 3600 - 30, 16 * 3600, quotes_per_piece))
            mid = base + np.cumsum(rng.normal(0, 0.01, quotes_per_piece))
            half = rng.integers(1, 4, quotes_per_piece) / 100
            skew = np.where(rng.random(quotes_per_piece) < 0.1, 0.05, 0.0)  # now and then a venue crosses
            if sym != unquoted:
                for t, v, m, h, k in zip(qt, rng.choice(VENUES, quotes_per_piece), mid, half, skew):
                    quote_rows.append((day, t, f"{day} {_clock(t)},0,{v},{m - h + k:.2f},{rng.integers(1, 9)},"
                                               f"{m + h + k:.2f},{rng.integers(1, 9)},{sym}"))
            tt = np.sort(rng.uniform(9.5 * 3600 - 120, 16 * 3600 + 60, trades_per_piece))
            at = np.minimum(np.searchsorted(qt, tt), quotes_per_piece - 1)
            price = np.round(mid[at] + rng.normal(0, 0.02, trades_per_piece), 4)
            price = np.where(rng.random(trades_per_piece) < 0.7, np.round(price, 2), price)
            for t, v, c, z, p, corr in zip(tt, rng.choice(VENUES + ["D"], trades_per_piece),
                                           rng.choice(["", "", "", "F", "T", "4", "I"], trades_per_piece),
                                           rng.integers(1, 30, trades_per_piece) * 100, price,
                                           rng.choice(["0", "0", "0", "0", "0", "0", "0", "0", "1"],
                                                      trades_per_piece)):
                trade_rows.append((day, t, f"{day} {_clock(t)},0,{v},{sym},{c},{z},{p:.4f},{corr}"))
    # a real file interleaves symbols in time order within a day
    trade_rows.sort(key=lambda r: (r[0], r[1]))
    quote_rows.sort(key=lambda r: (r[0], r[1]))
    trades, quotes = folder / "trades.csv", folder / "quotes.csv"
    trades.write_text("DT_NY,DT,EX,SYMBOL,COND,SIZE,PRICE,CORR\n" + "".join(r[2] + "\n" for r in trade_rows))
    quotes.write_text("DT_NY,DT,EX,BID,BIDSIZ,OFR,OFRSIZ,SYMBOL\n" + "".join(r[2] + "\n" for r in quote_rows))
    return trades, quotes


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{int((seconds - whole) * 1e6):06d}"
