"""The surveillance report (issue 13): its tables worked by hand on a small
tape, the HTML file (self-contained, plots embedded), the command with every
option, and the run on the shared TAQ sample."""
import subprocess
import sys

import numpy as np
import pytest

from engine.surveil import SelfHelp
from engine.surveil.report import surveil
from support.shared_data import DATA, needs_data

pd = pytest.importorskip("pandas")
DAY = "2018-01-02"
QUOTES = ("ts,venue,bid,bid_size,ask,ask_size,condition\n"
          "34200000000000,A,100000,100,100200,200,\n"  # A: 10.00 x 100 / 10.02 x 200
          "34200000000000,B,99900,300,100300,100,\n")  # B:  9.99 x 300 / 10.03 x 100
TRADES = [("10:00:00", "", 100, "10.01"),  # inside
          ("10:05:00", "", 100, "10.03"),  # through A's offer by a cent, 200 displayed: a violation
          ("10:40:00", "F", 200, "10.035"),  # an ISO through both offers (300 displayed), 1.5 cents; sub-penny
          ("10:41:00", "", 300, "10.0125"),  # inside; sub-penny (a quarter cent a share)
          ("15:59:00", "T", 100, "10.05")]  # extended hours (Form T): outside hours, not in the sub-penny sample


def files(tmp_path, trades=TRADES):
    t = tmp_path / "trades.csv"
    t.write_text("DT_NY,DT,EX,SYMBOL,COND,SIZE,PRICE,CORR\n" + "".join(
        f"{DAY} {clock}.000000,0,Q,XYZ,{cond},{size},{price},0\n" for clock, cond, size, price in trades))
    q = tmp_path / "quotes.csv"
    q.write_text(QUOTES)
    return t, q


def test_the_tables_worked_by_hand(tmp_path):
    report = surveil(*files(tmp_path))
    f = report.frames()
    assert set(f) == {"classes", "exceptions", "by_venue", "over_day", "amount_through", "subpenny_by_band",
                      "subpenny_by_day", "subpenny_by_venue"}
    classes = f["classes"]
    assert classes["trades"].to_dict() == {"inside": 2, "cleared": 1, "violation": 1, "outside hours": 1}
    assert classes["displayed_shares_through"].to_dict() == {"inside": 0, "cleared": 300, "violation": 200,
                                                             "outside hours": 0}
    ex = f["exceptions"]
    assert ex.index.tolist() == ["violation (nothing clears it)", "ISO_RECEIVED"]  # most trades first, ties as met
    assert ex[["trades", "shares", "shares_through"]].values.tolist() == [[1, 100, 200], [1, 200, 300]]
    assert ex["mean_cents_through"].tolist() == pytest.approx([1.0, 1.5])
    assert ex["rate"].tolist() == [0.25, 0.25]  # of the four trades audited (in hours, with quotes)
    day = f["over_day"].loc[DAY]
    assert day.loc["10:00"].to_dict() == {"trades": 2, "cleared": 0, "violations": 1, "cleared_shares_through": 0,
                                          "violation_shares_through": 200}
    assert day.loc["10:30"].to_dict() == {"trades": 2, "cleared": 1, "violations": 0, "cleared_shares_through": 300,
                                          "violation_shares_through": 0}
    amount = f["amount_through"]
    assert amount.index.tolist() == ["0-1", "1-2", "2-5", "5-10", "10-25", "25+"]
    assert amount.loc["1-2"].to_dict() == {"cleared": 1, "violation": 1} and int(amount.values.sum()) == 2
    band = f["subpenny_by_band"].loc["$10-20"]
    assert (band["trades"], band["subpenny_trades"], band["cost"]) == (4, 2, pytest.approx(1.75))
    assert "onoff" not in f and report.headline()[1].startswith("trade-throughs cleared by an exception: 1 (20.00%)")


@pytest.mark.plots
def test_the_html_file_stands_alone(tmp_path):
    report = surveil(*files(tmp_path), onoff="generated", generated_size=5_000)
    out = report.write_html(tmp_path / "out.html")
    page = out.read_text()
    assert page.count("<img") == 5  # over the day, exceptions, amount, sub-penny bands, on/off
    assert page.count("src='data:image/png;base64,") == 5 and "<script" not in page and "http" not in page
    for caption in ("Trades by class", "Exceptions used", "By price band", "On versus off"):
        assert f"<caption>{caption}" in page
    onoff = report.frames()["onoff"]
    assert onoff.loc["fills", "off_minus_on"] == onoff.loc["fills", "off"] - onoff.loc["fills", "on"]
    assert onoff.loc["through_fills", "on"] == 0


def test_without_matplotlib_the_report_says_what_to_install(tmp_path, monkeypatch):
    report = surveil(*files(tmp_path))
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install"):
        report.write_html(tmp_path / "out.html")
    assert not (tmp_path / "out.html").exists()


def test_self_help_reaches_the_report(tmp_path):
    report = surveil(*files(tmp_path), self_help=[SelfHelp.parse("A 10:01-10:06")])
    t = report.audit.trades
    assert (t["class"][1], t["code"][1]) == ("cleared", "SELF_HELP")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "engine", "surveil", *map(str, args)], capture_output=True,
                          text=True)


@pytest.mark.plots
def test_the_command_writes_the_report(tmp_path):
    trades, quotes = files(tmp_path)
    flow = tmp_path / "XYZ_2012-06-21_34200000_57600000_message_1.csv"
    flow.write_text("34200.0,1,1,300,100300,-1\n34201.0,4,1,200,100300,-1\n34202.0,1,2,100,100200,1\n")
    out = tmp_path / "report.html"
    run = run_cli(trades, quotes, "--report", out, "--self-help", "A 10:01-10:06", "--onoff", flow,
                  "--onoff-quotes", quotes)
    assert run.returncode == 0, run.stderr
    assert "cleared by SELF_HELP: 1 trades" in run.stdout and "fills stopped (BLOCKED)" in run.stdout
    assert f"report: {out}" in run.stdout and out.read_text().count("<img") == 5
    # mirror venues instead of a quote file, with chosen lags
    run = run_cli(trades, quotes, "--onoff", flow, "--mirror-lags", "0,2s")
    assert run.returncode == 0, run.stderr
    assert "MIRROR0 0 ms, MIRROR2S 2000 ms" in run.stdout


@pytest.mark.parametrize("args, message", [
    (["--self-help", "A 10:99-"], "self-help"),
    (["--mirror-lags", "fast"], "--mirror-lags"),
    pytest.param(["--report", "/nonexistent/dir/out.html"], "error: --report /nonexistent/dir/out.html",
                 marks=pytest.mark.plots),
    (["--onoff", "/nonexistent/flow.csv"], "error: /nonexistent/flow.csv: no such file"),
])
def test_the_command_refuses_bad_options_by_name(tmp_path, args, message):
    trades, quotes = files(tmp_path)
    run = run_cli(trades, quotes, *args)
    assert run.returncode in (1, 2) and message in run.stderr


def test_mirror_lags_parse():
    from engine.cli.surveil import parse_lags

    assert parse_lags("5ms,2s,250us,0") == {"MIRROR5MS": 5_000_000, "MIRROR2S": 2_000_000_000,
                                            "MIRROR250US": 250_000, "MIRROR0": 0}


@pytest.mark.plots
@needs_data
def test_on_the_shared_taq_sample(tmp_path):
    taq = DATA / "taq"
    report = surveil(taq / "trades_2018-01-02_03.csv.gz", taq / "quotes_2018-01-02_03.csv.gz")
    f = report.frames()
    assert f["classes"]["trades"].to_dict() == {"inside": 19_002, "cleared": 47_012, "violation": 10_770,
                                                "exempt": 27, "outside hours": 450}
    assert f["exceptions"].index[0] == "CROSSED_MARKET" and f["exceptions"]["trades"].iloc[0] == 23_142
    assert len(f["over_day"]) == 26  # thirteen half hours a day, both days
    assert int(f["amount_through"].values.sum()) == 47_012 + 10_770
    assert report.write_html(tmp_path / "taq.html").stat().st_size > 50_000
    one = surveil(taq / "trades_2018-01-02_03.csv.gz", taq / "quotes_2018-01-02_03.csv.gz", date="2018-01-03")
    counts = one.frames()["classes"]["trades"]
    assert (counts["inside"], counts["cleared"], counts["violation"]) == (10_573, 21_070, 5_963)
    assert np.isclose(report.subpenny.daily_cost, 2_884.85, atol=0.01)


@pytest.mark.plots
@needs_data
def test_the_readme_surveil_commands_on_the_shared_sample_run(tmp_path):
    """The README's surveil commands that read the shared sample run as
    written (from an empty folder, the sample named by its absolute path)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("### Surveillance:", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("  #")[0].strip() for line in block.splitlines()
                if line.startswith("python -m engine surveil") and "../shared" in line]
    assert len(commands) == 2
    for command in commands:
        args = command.replace("../shared/data", str(DATA)).split()[4:]
        run = subprocess.run([sys.executable, "-m", "engine", "surveil", *args],
                             capture_output=True, text=True, cwd=tmp_path)
        assert run.returncode == 0, f"{command}: {run.stderr}"
    assert (tmp_path / "surveil.html").exists() and (tmp_path / "jan3.html").exists()
