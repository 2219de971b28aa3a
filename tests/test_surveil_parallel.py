"""Surveillance split by (symbol, day) across Dask workers (issue 14): the
audit, its notes, the sub-penny estimate and every table equal a single
process's whatever the number of workers, on generated multi-symbol tapes
and on the shared sample; a worker killed mid-task costs nothing but time."""
import os
import subprocess
import sys

import numpy as np
import pytest

from engine.surveil import SelfHelp
from engine.surveil.parallel import surveil_parallel
from engine.surveil.split import split_taq
from engine.surveil.report import surveil
from support.dask_kill import kill_first_run
from support.shared_data import DATA, needs_data
from support.taq_files import write_taq

distributed = pytest.importorskip("distributed", reason="Dask is not installed (pip install 'dask[distributed]')")
pd = pytest.importorskip("pandas")
SELF_HELP = [SelfHelp.parse("B 10:00-11:00"), SelfHelp.parse("Q 2024-03-04 12:00-")]


@pytest.fixture(scope="module")
def taq(tmp_path_factory):
    return write_taq(tmp_path_factory.mktemp("taq"))


@pytest.fixture(scope="module")
def single(taq):
    return surveil(*taq, self_help=SELF_HELP)


def assert_same_report(got, want):
    a, b = got.audit, want.audit
    assert list(a.trades) == list(b.trades)
    for name in b.trades:
        assert a.trades[name].tolist() == b.trades[name].tolist(), name
    assert (a.notes, a.venues, a.quote_venues, a.days) == (b.notes, b.venues, b.quote_venues, b.days)
    t, u = got.tape, want.tape
    assert (t.venues, t.symbols, t.corrected, t.days, t.path) == (u.venues, u.symbols, u.corrected, u.days, u.path)
    assert got.subpenny == want.subpenny
    f, g = got.frames(), want.frames()
    assert list(f) == list(g)
    for name in g:
        pd.testing.assert_frame_equal(f[name], g[name])


@pytest.mark.parametrize("workers", [1, 2])
def test_the_report_is_a_single_process_one_whatever_the_workers(taq, single, workers):
    got = surveil_parallel(*taq, self_help=SELF_HELP, workers=workers)
    assert_same_report(got, single)
    classes = set(single.audit.trades["class"].tolist())
    assert {"inside", "cleared", "violation", "outside hours", "no quotes"} <= classes  # the tape tells them apart
    assert "no quotes for CCC on 2024-03-01: its trades are classed 'no quotes'" in single.audit.notes
    assert single.tape.corrected > 0 and "SELF_HELP" in set(single.audit.trades["code"].tolist())
    assert got.notes[-1].startswith("on Dask: 6 pieces (symbol, day) on ")  # 1 or 2 workers busy


def test_one_day_and_one_symbol_the_same_way(taq):
    kw = {"date": "2024-03-04", "symbol": "BBB"}
    assert_same_report(surveil_parallel(*taq, workers=1, **kw), surveil(*taq, **kw))


def test_the_split_keeps_every_row_once_in_tape_order(taq, tmp_path):
    split = split_taq(*taq, tmp_path)
    assert [(p["day"], p["symbol"]) for p in split.pieces] == [
        (d, s) for d in ("2024-03-01", "2024-03-04") for s in ("AAA", "BBB", "CCC")]
    order = np.sort(np.concatenate([np.load(p["order"]) for p in split.pieces]))
    assert order.tolist() == list(range(split.rows)) and split.rows + split.corrected == 2_400
    assert [p["quotes"] is None for p in split.pieces] == [False, False, True] * 2  # CCC has no quotes


def test_a_worker_killed_mid_task_is_replaced_and_the_report_is_whole(taq, single, tmp_path, monkeypatch):
    import engine.surveil.split as split

    marker = str(tmp_path / "killed")
    kill_first_run(monkeypatch, split, "audit_piece", marker,
                   lambda piece, *rest: (piece["day"], piece["symbol"]) == ("2024-03-04", "BBB"))
    got = surveil_parallel(*taq, self_help=SELF_HELP, workers=2)
    assert os.path.exists(marker)  # it did die once
    assert_same_report(got, single)


def test_a_bad_row_is_named_by_its_line_in_the_original_file(tmp_path):
    from engine.replay import ReplayError

    trades, quotes = write_taq(tmp_path, trades_per_piece=20, quotes_per_piece=20)
    lines = trades.read_text().splitlines()
    lines[17] = lines[17].replace(",0,", ",0,", 1).rsplit(",", 3)[0] + ",many,1.00,0"  # size 'many'
    trades.write_text("\n".join(lines) + "\n")
    with pytest.raises(ReplayError, match=f"{trades}: line 18: malformed trade row"):
        surveil(trades, quotes)
    with pytest.raises(ReplayError, match=f"{trades}: line 18: malformed trade row"):
        surveil_parallel(trades, quotes, workers=1, retries=0)


@needs_data
def test_on_the_shared_sample(tmp_path):
    taq = (DATA / "taq" / "trades_2018-01-02_03.csv.gz", DATA / "taq" / "quotes_2018-01-02_03.csv.gz")
    assert_same_report(surveil_parallel(*taq, workers=2, work_dir=tmp_path), surveil(*taq))


def test_the_cli_surveils_on_workers(taq):
    run = subprocess.run([sys.executable, "-m", "engine", "surveil", *map(str, taq), "--workers", "2"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    want = surveil(*taq).audit.summary()
    assert want in run.stdout  # the single-process summary, then the workers' share
    assert "note: on Dask: 6 pieces (symbol, day) on " in run.stdout


def test_the_split_audit_equals_one_read_per_piece(taq, single):
    """The split (each file read once) against the plain way: the quote file
    read for each (day, symbol), the whole tape audited at once."""
    from engine.replay import read_quotes
    from engine.surveil import audit_trades, read_trades

    tape = read_trades(taq[0])
    keyed = {(day, sym): read_quotes(taq[1], date=day, symbol=sym) for day, sym in tape.pieces()}
    plain = audit_trades(tape, keyed, SELF_HELP)
    for name in plain.trades:
        assert plain.trades[name].tolist() == single.audit.trades[name].tolist(), name
    assert plain.notes == single.audit.notes
