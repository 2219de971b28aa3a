"""The trade-through audit (issue 13; REQ-AUD-02, REQ-RPT-01): each class and
each exception on a small tape worked by hand, the tie rule, the measures
(displayed shares traded through, cents beyond), and the audit against the
engine's hot path on generated flow: what the hot path committed, the audit
clears with the same code and never calls a violation."""
import numpy as np
import pytest

from engine import EventType, ProtectedBook
from engine.enums import ComplianceCode
from engine.flow import NINE_THIRTY_NS, generate_mixed
from engine.replay import read_quotes
from engine.surveil import read_trades
from engine.surveil.audit import audit_trades
from support.shared_data import DATA, needs_data

DAY = "2018-01-02"
HEADER = "DT_NY,DT,EX,SYMBOL,COND,SIZE,PRICE,CORR\n"


def at(clock: str) -> int:
    h, m, s = clock.split(":")
    return int((int(h) * 3600 + int(m) * 60 + float(s)) * 1e9)


def quotes_file(tmp_path, *rows):
    p = tmp_path / "quotes.csv"
    p.write_text("ts,venue,bid,bid_size,ask,ask_size,condition\n" + "".join(
        f"{at(t)},{v},{b},{bs},{a},{az},\n" for t, v, b, bs, a, az in rows))
    return {DAY: read_quotes(p)}


def audit(tmp_path, quotes, *trades):
    p = tmp_path / "trades.csv"
    p.write_text(HEADER + "".join(f"{DAY} {t},0,Q,XYZ,{cond},{size},{price},0\n" for t, cond, size, price in trades))
    return audit_trades(read_trades(p), quotes)


BASE = [("09:30:00", "A", 100_000, 100, 100_200, 200),  # A: 10.00 x 100 / 10.02 x 200
        ("09:30:00", "B", 99_900, 300, 100_300, 100)]  # B:  9.99 x 300 / 10.03 x 100


@pytest.mark.parametrize("cond, price, cls, code, shares_through, cents", [
    ("", "10.01", "inside", "", 0, 0.0),
    ("", "10.02", "inside", "", 0, 0.0),  # at the protected offer
    ("", "10.03", "violation", "NONE", 200, 1.0),  # through A's offer by a cent
    ("", "9.98", "violation", "NONE", 400, 2.0),  # a print below both bids: by price, not by side
    ("F", "10.03", "cleared", "ISO_RECEIVED", 200, 1.0),
    ("F I", "10.03", "cleared", "ISO_RECEIVED", 200, 1.0),
    ("O", "10.04", "cleared", "AUCTION", 300, 2.0),
    ("4", "10.03", "cleared", "BENCHMARK", 200, 1.0),
    ("C", "10.03", "cleared", "NON_REGULAR_WAY", 200, 1.0),
    ("7", "10.05", "exempt", "qualified contingent trade", 0, 0.0),
    ("T", "10.05", "outside hours", "", 0, 0.0),
])
def test_each_class_and_exception(tmp_path, cond, price, cls, code, shares_through, cents):
    r = audit(tmp_path, quotes_file(tmp_path, *BASE), ("10:00:00.000000", cond, 100, price))
    t = r.trades
    assert (t["class"][0], t["code"][0], int(t["shares_through"][0]), float(t["cents_through"][0])) == \
        (cls, code, shares_through, cents)


def test_outside_regular_hours_and_without_quotes(tmp_path):
    r = audit(tmp_path, quotes_file(tmp_path, *BASE), ("09:29:59.999999", "", 100, "10.05"),
              ("16:00:00.000000", "", 100, "10.05"))
    assert r.trades["class"].tolist() == ["outside hours", "outside hours"]
    empty = audit(tmp_path, {}, ("10:00:00.000000", "", 100, "10.05"))
    assert empty.trades["class"].tolist() == ["no quotes"] and "no quotes for 2018-01-02" in empty.notes[0]


def test_a_crossed_market_clears_and_is_noted(tmp_path):
    quotes = quotes_file(tmp_path, *BASE, ("09:45:00", "A", 100_400, 100, 100_500, 100))  # A bids above B's offer
    r = audit(tmp_path, quotes, ("10:00:00.000000", "", 100, "10.06"))
    assert (r.trades["class"][0], r.trades["code"][0]) == ("cleared", "CROSSED_MARKET")
    assert "crossed" in r.notes[-1]


def test_the_one_second_look_back_clears_a_flickering_quote(tmp_path):
    """A's offer was 10.05 until 10:00:00.5 and then 10.02: a buy at 10.04 half
    a second later trades through the 10.02 but not the 10.05 A showed within
    the second before, so the look-back clears it (FLICKER); two seconds later it does not."""
    quotes = quotes_file(tmp_path, ("09:30:00", "A", 100_000, 100, 100_500, 200),
                         ("10:00:00.5", "A", 100_000, 100, 100_200, 200))
    r = audit(tmp_path, quotes, ("10:00:01.000000", "", 100, "10.04"), ("10:00:02.600000", "", 100, "10.04"))
    assert r.trades["code"].tolist() == ["FLICKER", "NONE"]


def test_a_quote_in_the_same_instant_as_a_trade_comes_after_it(tmp_path):
    quotes = quotes_file(tmp_path, *BASE, ("10:00:00", "A", 100_000, 100, 100_400, 200),
                         ("10:00:00", "B", 99_900, 300, 100_400, 100))
    r = audit(tmp_path, quotes, ("10:00:00.000000", "", 100, "10.03"), ("10:00:00.000001", "", 100, "10.03"))
    assert r.trades["class"].tolist() == ["violation", "inside"]


def test_totals_and_exception_rates(tmp_path):
    r = audit(tmp_path, quotes_file(tmp_path, *BASE), ("10:00:00.000000", "", 100, "10.01"),
              ("10:00:01.000000", "F", 300, "10.03"), ("10:00:02.000000", "", 100, "10.03"),
              ("10:00:03.000000", "", 100, "10.01"))
    assert r.exception_rates() == {"ISO_RECEIVED": 0.25, "violation": 0.25}
    totals = r.totals()
    assert totals[("cleared", "ISO_RECEIVED")] == {"trades": 1, "shares": 300, "dollars": pytest.approx(3_009.0),
                                                   "shares_through": 200, "mean_cents_through": 1.0}
    assert totals[("inside", "")]["trades"] == 2
    assert set(r.totals(by="venue")) == {("Q", "inside", ""), ("Q", "cleared", "ISO_RECEIVED"),
                                         ("Q", "violation", "NONE")}


def test_the_audit_agrees_with_the_hot_path_on_generated_flow(tmp_path):
    """Generated multi-venue flow through a ProtectedBook; its fills, audited
    as a tape against the same quotes, are cleared with the same code the hot
    path gave them, and none is a violation."""
    commands, quotes, schedule = generate_mixed(40_000, seed=3, venues=4)
    commands["ts"] = NINE_THIRTY_NS + 1_000 + np.arange(len(commands), dtype=np.int64) * 1_000
    prev = np.maximum(np.cumsum(schedule >= 0) - 1, 0)[schedule < 0]  # each quote's command before it
    quotes["ts"] = commands["ts"][prev]  # a quote in the same instant as a trade comes after it, as here
    venues = ["V0", "V1", "V2", "V3"]
    book = ProtectedBook("X", venues=venues)
    fills = []
    qi = 0
    for s in schedule.tolist():
        if s < 0:
            book.update_quotes(np.ascontiguousarray(quotes[qi:qi + 1]))
            qi += 1
        else:
            ev = book.execute(np.ascontiguousarray(commands[s:s + 1]))
            fills.append(ev[ev["type"] == EventType.FILL].copy())
    fills = np.concatenate(fills)
    codes = [ComplianceCode(c).name for c in fills["compliance_code"].tolist()]
    assert len(fills) > 1_000 and {"NO_TRADE_THROUGH"} < set(codes)
    rows = "".join(f"{DAY} {ts // 3_600_000_000_000:02d}:{ts // 60_000_000_000 % 60:02d}:"
                   f"{ts // 1_000_000_000 % 60:02d}.{ts % 1_000_000_000:09d},0,X,XYZ,,{q},{p / 10_000:.4f},0\n"
                   for ts, q, p in zip(fills["ts"].tolist(), fills["quantity"].tolist(), fills["price"].tolist()))
    tape_path = tmp_path / "fills.csv"
    tape_path.write_text(HEADER + rows)
    qp = tmp_path / "quotes.csv"
    qp.write_text("ts,venue,bid,bid_size,ask,ask_size,condition\n" + "".join(
        f"{t},{venues[v]},{b},{bs},{a},{az},\n" for t, v, b, bs, a, az in
        zip(*(quotes[c].tolist() for c in ("ts", "venue", "bid_price", "bid_size", "ask_price", "ask_size")))))
    r = audit_trades(read_trades(tape_path), {DAY: read_quotes(qp, venues=venues)})
    want = ["" if c == "NO_TRADE_THROUGH" else c for c in codes]
    got = ["" if cls == "inside" else c for cls, c in zip(r.trades["class"].tolist(), r.trades["code"].tolist())]
    assert "violation" not in set(r.trades["class"].tolist())
    assert got == want


@needs_data
def test_on_the_shared_taq_sample():
    tape = read_trades(DATA / "taq" / "trades_2018-01-02_03.csv.gz")
    quotes = {d: read_quotes(DATA / "taq" / "quotes_2018-01-02_03.csv.gz", date=d) for d in tape.days}
    r = audit_trades(tape, quotes)
    counts = {c: int((r.trades["class"] == c).sum()) for c in ("inside", "cleared", "violation", "exempt",
                                                                "outside hours")}
    assert counts == {"inside": 19_002, "cleared": 47_012, "violation": 10_770, "exempt": 27, "outside hours": 450}
    assert int((r.trades["code"] == "CROSSED_MARKET").sum()) == 23_142


def test_the_cli_audits_a_tape_against_its_quotes(tmp_path):
    import subprocess
    import sys

    quotes = tmp_path / "quotes.csv"
    quotes.write_text("ts,venue,bid,bid_size,ask,ask_size,condition\n" + "".join(
        f"{at(t)},{v},{b},{bs},{a},{az},\n" for t, v, b, bs, a, az in BASE))
    trades = tmp_path / "trades.csv"
    trades.write_text(HEADER + f"{DAY} 10:00:00.000000,0,Q,XYZ,,100,10.03,0\n{DAY} 10:00:01.000000,0,Q,XYZ,F,100,10.03,0\n")
    run = subprocess.run([sys.executable, "-m", "engine", "surveil", str(trades), str(quotes)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "  violation: 1 (50.00%)" in run.stdout and "cleared by ISO_RECEIVED: 1 trades, 100 shares, 200 displayed" \
        in run.stdout
    assert "sub-penny trading" in run.stdout
