"""The surveillance report over a full day's tape for one symbol: reading the
trades and the per-venue quotes, the trade-through audit, the sub-penny
estimate, every table and the HTML file with its plots, end to end.

Two days: the shared TAQ sample's 2 Jan 2018 (38,000 trades, 60,000 quotes
from 12 venues), and a generated busy day (200,000 trades, 600,000 quotes
from 12 venues, a random walk around $50), about what a liquid stock prints.
extra_info records trades per second.

    python -m pytest benchmarks/test_bench_surveil.py --benchmark-columns=min,median,max
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pandas", reason="the report needs pandas (pip install '.[report]')")
pytest.importorskip("matplotlib", reason="the report needs matplotlib (pip install '.[report]')")

from engine.surveil.report import surveil  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.shared_data import DATA  # noqa: E402

VENUES = list("ABCDJKMNPTVXYZ")[:12]
OPEN_S, CLOSE_S = 9.5 * 3600, 16 * 3600


def _clock(seconds: np.ndarray) -> list[str]:
    whole = seconds.astype(np.int64)
    micros = ((seconds - whole) * 1e6).astype(np.int64)
    return [f"2024-03-01 {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{u:06d}"
            for s, u in zip(whole.tolist(), micros.tolist())]


@pytest.fixture(scope="module")
def busy_day(tmp_path_factory):
    """A generated day: quotes from 12 venues around a random-walk mid, and
    trades at or near the protected quotes (some sub-penny, some ISO)."""
    rng = np.random.default_rng(5)
    n_quotes, n_trades = 600_000, 200_000
    folder = tmp_path_factory.mktemp("surveil")
    qt = np.sort(rng.uniform(OPEN_S - 60, CLOSE_S, n_quotes))
    mid = 50 + np.cumsum(rng.normal(0, 0.002, n_quotes))
    half = rng.integers(1, 4, n_quotes) / 100
    bid, ask = np.round(mid - half, 2), np.round(mid + half, 2)
    quotes = folder / "quotes.csv"
    with open(quotes, "w") as f:
        f.write("DT_NY,DT,EX,BID,BIDSIZ,OFR,OFRSIZ,SYMBOL\n")
        f.writelines(f"{c},0,{v},{b:.2f},{bs},{a:.2f},{az},BUSY\n" for c, v, b, bs, a, az in zip(
            _clock(qt), rng.choice(VENUES, n_quotes).tolist(), bid.tolist(), rng.integers(1, 10, n_quotes).tolist(),
            ask.tolist(), rng.integers(1, 10, n_quotes).tolist()))
    tt = np.sort(rng.uniform(OPEN_S, CLOSE_S, n_trades))
    at = np.minimum(np.searchsorted(qt, tt), n_quotes - 1)
    price = np.round(mid[at] + rng.normal(0, 0.01, n_trades), 4)
    price = np.where(rng.random(n_trades) < 0.7, np.round(price, 2), price)  # most prints on the penny
    cond = rng.choice(["", "", "", "F", "I", "4"], n_trades)
    trades = folder / "trades.csv"
    with open(trades, "w") as f:
        f.write("DT_NY,DT,EX,SYMBOL,COND,SIZE,PRICE,CORR\n")
        f.writelines(f"{c},0,{v},BUSY,{k},{s},{p:.4f},0\n" for c, v, k, s, p in zip(
            _clock(tt), rng.choice(VENUES, n_trades).tolist(), cond.tolist(),
            (rng.integers(1, 20, n_trades) * 100).tolist(), price.tolist()))
    return trades, quotes, n_trades


def _report(trades, quotes, out, date=None):
    report = surveil(trades, quotes, date=date)
    report.write_html(out)  # every table, and the file
    return report


def test_report_shared_taq_day(benchmark, tmp_path):
    taq = DATA / "taq"
    if not taq.exists():
        pytest.skip("the shared TAQ sample is not beside the checkout")
    report = benchmark.pedantic(_report, args=(taq / "trades_2018-01-02_03.csv.gz",
                                               taq / "quotes_2018-01-02_03.csv.gz", tmp_path / "taq.html",
                                               "2018-01-02"), rounds=3, iterations=1)
    benchmark.extra_info["trades"] = len(report.tape)
    if benchmark.stats:  # None under --benchmark-disable
        benchmark.extra_info["trades_per_s"] = round(len(report.tape) / benchmark.stats.stats.median)


def test_report_busy_generated_day(benchmark, busy_day, tmp_path):
    trades, quotes, n = busy_day
    report = benchmark.pedantic(_report, args=(trades, quotes, tmp_path / "busy.html"), rounds=2, iterations=1)
    assert len(report.tape) == n
    benchmark.extra_info["trades"] = n
    if benchmark.stats:
        benchmark.extra_info["trades_per_s"] = round(n / benchmark.stats.stats.median)
