"""The trade-through audit (issue 13; REQ-AUD-02, REQ-RPT-01): each class and
each exception on a small tape worked by hand, the tie rule, the measures
(displayed shares traded through, cents beyond), and the audit against the
engine's hot path on generated flow: what the hot path committed, the audit
clears with the same code and never calls a violation."""
import numpy as np
import pytest

from engine import EventType, ProtectedBook, Side, TimeInForce
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
    ("8", "10.05", "exempt", "611 exempt", 0, 0.0),  # REQ-RPT-01's generic placeholder
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


def test_self_help_clears_a_print_through_the_declared_venue(tmp_path):
    """REQ-EXC-01's example: self-help against Z from 10:15; Z offers 100500u,
    Y 100600u; a print at 100600u is cleared SELF_HELP (B1) after 10:15 and is
    a violation before; a print through Y as well stays a violation."""
    from engine.surveil import SelfHelp

    quotes = quotes_file(tmp_path, ("10:00:00", "Z", 100_400, 100, 100_500, 100),
                         ("10:00:00", "Y", 100_400, 100, 100_600, 300))
    trades = [("10:14:59.000000", "", 100, "10.06"), ("10:16:00.000000", "", 100, "10.06"),
              ("10:16:01.000000", "", 100, "10.07")]
    p = tmp_path / "trades.csv"
    p.write_text(HEADER + "".join(f"{DAY} {t},0,Q,XYZ,{c},{s},{px},0\n" for t, c, s, px in trades))
    r = audit_trades(read_trades(p), quotes, self_help=[SelfHelp.parse("Z 10:15-")])
    t = r.trades
    assert list(zip(t["class"].tolist(), t["code"].tolist(), t["shares_through"].tolist())) == [
        ("violation", "NONE", 100), ("cleared", "SELF_HELP", 100), ("violation", "NONE", 400)]
    assert sorted(t["through"][2]) == ["Y", "Z"]
    # a declaration for another day, or against a venue without quotes, changes nothing and is noted
    r = audit_trades(read_trades(p), quotes, self_help=[SelfHelp("Z", at("10:15:00"), day="2018-01-03"),
                                                        SelfHelp("Q", at("10:15:00"))])
    assert r.trades["class"].tolist() == ["violation"] * 3
    assert r.notes == [f"self-help declared against Q on {DAY}, which has no quotes that day"]


@pytest.mark.parametrize("text, want", [
    ("Z 10:15-", ("Z", at("10:15:00"), None, None)),
    ("P 2018-01-02 10:15:00.5-10:30", ("P", at("10:15:00.5"), at("10:30:00"), "2018-01-02")),
])
def test_self_help_declarations_parse(text, want):
    from engine.surveil import SelfHelp

    d = SelfHelp.parse(text)
    assert (d.venue, d.start, d.end, d.day) == want


@pytest.mark.parametrize("text", ["Z", "Z 10:15", "Z 25:00-", "Z 10:30-10:15", "Z 2018/01/02 10:15-", "Z 10:x-"])
def test_a_malformed_self_help_declaration_is_refused(text):
    from engine.surveil import SelfHelp

    with pytest.raises(ValueError, match="self-help"):
        SelfHelp.parse(text)


def test_the_audit_reads_dataframes_as_it_reads_files(tmp_path):
    pd = pytest.importorskip("pandas")
    from engine.replay import quotes_from_frame
    from engine.surveil import trades_from_frame

    trades = pd.DataFrame({"DT_NY": pd.to_datetime([f"{DAY} 10:00:00", f"{DAY} 10:00:01.25"], format="ISO8601"), "DT": 0,
                           "EX": ["Q", "D"], "SYMBOL": "XYZ", "COND": ["", "F"], "SIZE": [100, 200],
                           "PRICE": [10.03, 10.0125]})
    quotes = pd.DataFrame([(at(t), v, b, bs, a, az, "") for t, v, b, bs, a, az in BASE],
                          columns=["ts", "venue", "bid", "bid_size", "ask", "ask_size", "condition"])
    tape = trades_from_frame(trades)
    assert tape.price.tolist() == [10_030_000, 10_012_500] and tape.ts.tolist() == [at("10:00:00"), at("10:00:01.25")]
    assert tape.venues == ["Q", "D"] and tape.days == [DAY]
    from_frames = audit_trades(tape, quotes)  # a DataFrame of quotes for a one-day tape
    from_files = audit_trades(tape, quotes_file(tmp_path, *BASE))
    assert from_frames.trades["class"].tolist() == from_files.trades["class"].tolist() == ["violation", "inside"]
    assert audit_trades(tape, quotes_from_frame(quotes)).trades["code"].tolist() == ["NONE", ""]
    taq = pd.DataFrame({"DT_NY": [f"{DAY} 09:59:00"], "DT": 0, "EX": "A", "BID": 10.0, "BIDSIZ": 1, "OFR": 10.02,
                        "OFRSIZ": 2, "SYMBOL": "XYZ"})
    r = audit_trades(tape, taq)
    assert r.trades["class"].tolist() == ["violation", "inside"] and r.trades["shares_through"].tolist() == [200, 0]


def test_frames_of_the_wrong_kind_are_refused_by_name():
    from engine.replay import ReplayError, quotes_from_frame
    from engine.surveil import trades_from_frame

    pd = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match="trades"):
        trades_from_frame([1, 2])
    with pytest.raises(TypeError, match="quotes"):
        quotes_from_frame("x")
    with pytest.raises(ReplayError, match="trades frame: line 1"):
        trades_from_frame(pd.DataFrame({"a": [1]}))
    with pytest.raises(ReplayError, match="quotes frame: line 2"):
        quotes_from_frame(pd.DataFrame({"ts": ["x"], "venue": "A", "bid": 1, "bid_size": 1, "ask": 2,
                                        "ask_size": 1, "condition": ""}))


def test_the_engines_own_fills_audited_from_its_events():
    """The hot path's events as the tape: each FILL one print, its exception
    reported with its sale condition (an ISO fill as F), re-checked
    independently against the quotes the venue saw."""
    from engine import OrderFlag
    from engine.replay import QuoteFile
    from engine.surveil import trades_from_events

    book = ProtectedBook("X", venues=["A"])
    quotes = np.atleast_1d(book.quote_record("A", 100_000, 100, 100_200, 100, ts=at("10:00:00")))
    book.update_quotes(quotes)
    book.add(1, Side.SELL, 100_300, 500, ts=at("10:00:01"))
    events = book.execute(np.concatenate([
        np.atleast_1d(book.order_record(2, Side.BUY, 100_300, 200, ts=at("10:00:02"), flags=OrderFlag.ISO,
                                        tif=TimeInForce.IOC)),
        np.atleast_1d(book.order_record(3, Side.BUY, 100_200, 100, ts=at("10:00:03"), tif=TimeInForce.IOC))]))
    tape = trades_from_events(events, DAY, venue="OWN", symbol="X")
    assert tape.conditions.tolist() == ["F"] and tape.price.tolist() == [10_030_000]
    r = audit_trades(tape, QuoteFile(quotes, ["A"]))
    assert (r.trades["class"][0], r.trades["code"][0], int(r.trades["shares_through"][0])) == \
        ("cleared", "ISO_RECEIVED", 100)
    with pytest.raises(TypeError, match="events"):
        trades_from_events(np.zeros(3), DAY)


@pytest.mark.parametrize("cond, price, cls, code, shares, cents", [
    ("", "0.5080", "cleared", "SUB_PENNY", 300, 0.3),  # REQ-EXM-01: a quote at or below $1.00, < a cent through
    ("", "0.5160", "violation", "NONE", 300, 1.1),  # a cent or more through: not exempt
    ("1", "0.5160", "cleared", "STOPPED", 300, 1.1),  # (b)(9), condition 1 (REQ-RPT-01): a stopped sell above the offer
    ("1", "0.4890", "cleared", "STOPPED", 100, 1.1),  # ... a stopped buy below the bid
])
def test_the_sub_penny_exemption_and_stopped_orders(tmp_path, cond, price, cls, code, shares, cents):
    quotes = quotes_file(tmp_path, ("09:30:00", "A", 5_000, 100, 5_050, 300))  # $0.5000 x 100 / $0.5050 x 300
    r = audit(tmp_path, quotes, ("10:00:00.000000", cond, 100, price))
    t = r.trades
    assert (t["class"][0], t["code"][0], int(t["shares_through"][0])) == (cls, code, shares)
    assert float(t["cents_through"][0]) == pytest.approx(cents)


def two_symbol_files(tmp_path):
    """AAA quoted 10.00 / 10.02 and BBB 20.00 / 20.02 on venue A, in one TAQ
    quote file; trades of both in one tape."""
    q = tmp_path / "quotes.csv"
    q.write_text("DT_NY,DT,EX,BID,BIDSIZ,OFR,OFRSIZ,SYMBOL\n"
                 f"{DAY} 09:30:00.000000,0,A,10.00,1,10.02,2,AAA\n"
                 f"{DAY} 09:30:00.000000,0,A,20.00,3,20.02,4,BBB\n")
    t = tmp_path / "trades.csv"
    t.write_text(HEADER + "".join(f"{DAY} 10:00:0{i}.000000,0,Q,{sym},,100,{px},0\n" for i, (sym, px) in
                                  enumerate([("AAA", "10.01"), ("BBB", "20.01"), ("AAA", "20.01"), ("BBB", "10.01")])))
    return t, q


def test_a_tape_of_several_symbols_is_audited_per_symbol(tmp_path):
    from engine.surveil.report import surveil

    trades, quotes = two_symbol_files(tmp_path)
    r = surveil(trades, quotes).audit
    assert list(zip(r.trades["class"].tolist(), r.trades["shares_through"].tolist())) == [
        ("inside", 0), ("inside", 0), ("violation", 200), ("violation", 300)]
    tape = read_trades(trades)
    assert tape.pieces() == [(DAY, "AAA"), (DAY, "BBB")]
    with pytest.raises(ValueError, match="hold 2 symbols"):  # one book of both would be neither's quotes
        audit_trades(tape, {DAY: read_quotes(quotes, date=DAY)})
    assert read_quotes(quotes, symbol="BBB").quotes["bid_price"].tolist() == [200_000]
