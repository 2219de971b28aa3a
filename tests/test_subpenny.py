"""The sub-penny cost estimate by the OEA memo's method (issue 13; seed 001):
the memo's worked examples, the exclusions, the shares, and the annualisation."""
import pytest

from engine.replay import ReplayError
from engine.surveil import read_trades, subpenny_cost
from support.shared_data import DATA, needs_data

HEADER = "DT_NY,DT,EX,SYMBOL,COND,SIZE,PRICE,CORR\n"


def tape(tmp_path, *rows, name="trades.csv"):
    p = tmp_path / name
    p.write_text(HEADER + "".join(f"{r}\n" for r in rows))
    return read_trades(p)


def test_the_memos_worked_examples(tmp_path):
    """$25.248 for 300 shares costs $0.60 against $25.25; $25.242 costs $0.002 a share against $25.24."""
    r = subpenny_cost(tape(tmp_path, "2004-06-07 10:00:00.000000,0,Q,XYZ,@,300,25.248,0"))
    assert (r.subpenny_trades, r.cost) == (1, pytest.approx(0.60))
    r = subpenny_cost(tape(tmp_path, "2004-06-07 10:00:00.000000,0,Q,XYZ,@,1,25.242,0"))
    assert r.cost == pytest.approx(0.002)


def test_shares_of_trades_and_volume_and_the_year(tmp_path):
    r = subpenny_cost(tape(
        tmp_path,
        "2004-06-07 10:00:00.000000,0,Q,XYZ,,100,25.25,0",  # on the penny
        "2004-06-07 10:00:01.000000,0,Q,XYZ,,300,25.2480,0",  # sub-penny: $0.60
        "2004-06-08 10:00:00.000000,0,Q,XYZ,F,600,10.0050,0",  # halfway: half a cent either way, $3.00
        "2004-06-08 10:00:00.500000,0,Q,XYZ,I,50,0.9512,0",  # below $1.00: left out
        "2004-06-08 10:00:01.000000,0,Q,XYZ,B,500,25.2488,0",  # average price (VWAP): left out
        "2004-06-08 10:00:02.000000,0,Q,XYZ,T,500,25.2488,0",  # extended hours: left out
        "2004-06-08 10:00:03.000000,0,Q,XYZ,4,500,25.2488,0",  # derivatively priced: left out
        "2004-06-08 10:00:04.000000,0,Q,XYZ,,500,25.2488,1"))  # corrected: dropped
    assert (r.trades, r.shares, r.subpenny_trades, r.subpenny_shares) == (3, 1_000, 2, 900)
    assert (r.trade_share, r.volume_share) == (pytest.approx(2 / 3), pytest.approx(0.9))
    assert r.cost == pytest.approx(3.60)
    assert r.days["2004-06-07"]["cost"] == pytest.approx(0.60) and r.days["2004-06-08"]["cost"] == pytest.approx(3.0)
    assert r.daily_cost == pytest.approx(1.80) and r.annual_cost == pytest.approx(1.80 * 252)
    assert r.excluded == {"priced below $1.00": 1, "average price": 1, "extended hours": 1, "derivatively priced": 1}
    assert r.bands["$20-50"]["subpenny_trades"] == 1 and r.bands["$10-20"]["cost"] == pytest.approx(3.0)


def test_prices_finer_than_a_hundredth_of_a_cent_count(tmp_path):
    r = subpenny_cost(tape(tmp_path, "2018-01-02 10:00:00.000000,0,D,XYZ,,1000,158.000001,0"))
    assert r.subpenny_trades == 1 and r.cost == pytest.approx(0.001)


@pytest.mark.parametrize("row, problem", [
    ("2018-01-02 10:00:00,0,D,XYZ,,100,abc,0", "price 'abc' is not a number"),
    ("2018-01-02 10:00:00,0,D,XYZ,,100,1.0000001,0", "price .1.0000001. is not a positive multiple of \\$0.000001"),
    ("2018-01-02 10:00:00,0,D,XYZ,,-5,10.00,0", "size -5 is not positive"),
    ("10:00,0,D,XYZ,,100,10.00,0", "time '10:00'"),
])
def test_a_bad_row_is_one_clear_error(tmp_path, row, problem):
    with pytest.raises(ReplayError, match=rf"trades\.csv: line 2: {problem}"):
        tape(tmp_path, row)


@needs_data
def test_on_the_shared_taq_tape():
    t = read_trades(DATA / "taq" / "trades_2018-01-02_03.csv.gz")
    r = subpenny_cost(t)
    assert (len(t), t.corrected, t.days) == (77_261, 2, ["2018-01-02", "2018-01-03"])
    assert (r.trades, r.subpenny_trades, r.subpenny_shares) == (76_331, 14_092, 1_971_535)
    assert r.cost == pytest.approx(5_769.71, abs=0.01)
    one = subpenny_cost(read_trades(DATA / "taq" / "trades_2018-01-02_03.csv.gz", date="2018-01-03"))
    assert list(one.days) == ["2018-01-03"] and one.subpenny_trades == 6_401


def test_the_cli_reports_the_estimate(tmp_path):
    import subprocess
    import sys

    p = tmp_path / "trades.csv"
    p.write_text(HEADER + "2004-06-07 10:00:00.000000,0,Q,XYZ,@,300,25.248,0\n")
    run = subprocess.run([sys.executable, "-m", "engine", "surveil", str(p)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "in a sub-penny increment: 1 trades (100.00%), 300 shares (100.00% of volume)" in run.stdout
    assert "cost of the near-side penny: $0.60 over 1 day(s), $0.60 a day, $151 a year (252 days)" in run.stdout
    none = subprocess.run([sys.executable, "-m", "engine", "surveil", str(p), "--symbol", "ABC"],
                          capture_output=True, text=True)
    assert none.returncode == 1 and "no trades for ABC" in none.stderr
