"""Replay split by stock across Dask workers (issue 14): for every stock the
final book, book states and counts equal a single-process run whatever the
number of workers, and a worker killed mid-task costs nothing but time."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine._core import generate_itch
from engine.replay import rematch, replay, replay_itch, replay_parallel
from engine.replay.parallel import stock_summary
from engine.replay.rematch import safe_symbol
from engine.replay.states import book_state_columns
from support.dask_kill import kill_first_run
from support.shared_data import AAPL_MSG, needs_data

distributed = pytest.importorskip("distributed", reason="Dask is not installed (pip install 'dask[distributed]')")
pq = pytest.importorskip("pyarrow.parquet")

COUNTED = ("messages", "adds", "cancels", "deletes", "executions", "executed_shares", "replaces", "unknown_orders",
           "duplicate_adds", "over_executions", "system_events", "directory", "crossed_states")


@pytest.fixture(scope="module")
def itch(tmp_path_factory):
    path = tmp_path_factory.mktemp("par") / "day.itch"
    path.write_bytes(generate_itch(120_000, 9, 21))
    return path


@pytest.fixture(scope="module")
def single(itch):
    r = replay_itch(itch, book_levels=2, keep_book_states=True)
    books = {sym: stock_summary(r.book(sym)) for sym, _, _ in r.stocks.values() if r.book(sym) is not None}
    return r, books


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        yield c


def states_by_message(folder: Path) -> dict[int, list[int]]:
    rows = {}
    for f in sorted(folder.glob("*.parquet")):
        t = pq.read_table(f)
        states = np.column_stack([t.column(c).to_numpy() for c in book_state_columns(2)])
        for n, row in zip(t.column("message").to_pylist(), states.tolist()):
            rows[n] = row
    return rows


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_every_stock_ends_as_in_a_single_process_whatever_the_workers(itch, single, tmp_path, workers):
    r, books = single
    got = replay_parallel(itch, workers=workers, book_levels=2, book_out=tmp_path / "states")
    assert got.stocks == books
    assert {k: got.stats[k] for k in COUNTED} == {k: r.stats[k] for k in COUNTED}
    assert got.tasks == workers * 4 and len(got.workers) <= workers
    # the book after every message: the same rows, message for message
    rows = states_by_message(tmp_path / "states")
    assert len(rows) == r.messages
    want = r.book_states
    assert all(rows[n] == want[n].tolist() for n in range(0, r.messages, 97))
    assert np.array_equal(np.array([rows[n] for n in range(r.messages)]), want)


def test_a_running_cluster_by_client_and_by_address(itch, single, cluster):
    _, books = single
    with distributed.Client(cluster) as client:
        assert replay_parallel(itch, scheduler=client).stocks == books
    assert replay_parallel(itch, scheduler=cluster.scheduler_address).stocks == books


def test_a_worker_killed_mid_task_is_replaced_and_the_result_is_whole(itch, single, tmp_path, monkeypatch):
    import engine.replay.parallel as parallel

    marker = str(tmp_path / "killed")
    kill_first_run(monkeypatch, parallel, "build_group", marker, lambda records, *rest: "group0001" in records)
    _, books = single
    got = replay_parallel(itch, workers=2)
    assert os.path.exists(marker)  # it did die once
    assert got.stocks == books


def test_files_of_other_formats_are_a_task_each(tmp_path):
    paths = []
    for k in range(3):
        p = tmp_path / f"S{k}_2019-01-30_34200000_57600000_message_1.csv"
        p.write_bytes(f"34200.5,1,7,100,10050{k},1\n34200.6,1,8,50,100600,-1\n".encode())
        paths.append(p)
    got = replay_parallel(paths, workers=2)
    assert got.tasks == 3 and got.stats["adds"] == 6
    assert got.stocks == {f"S{k}": stock_summary(replay(p).book()) for k, p in enumerate(paths)}


def test_bad_arguments_are_refused(itch, tmp_path):
    with pytest.raises(ValueError, match="workers=0 must be a positive int or 'auto'"):
        replay_parallel(itch, workers=0)
    with pytest.raises(ValueError, match="needs book_out"):
        replay_parallel(itch, workers=1, book_levels=2)


def test_the_cli_replays_on_workers(itch):
    run = subprocess.run([sys.executable, "-m", "engine", "replay", str(itch), "--workers", "2", "--no-progress"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "on 2 workers, 8 tasks" in run.stdout and "books: 9;" in run.stdout
    bad = subprocess.run([sys.executable, "-m", "engine", "replay", str(itch), "--workers", "many"],
                         capture_output=True, text=True)
    assert (bad.returncode, bad.stderr.strip()) == (1, "error: --workers many: a positive number or 'auto'")


# --------------------------------------------------------------- re-matching on workers
@pytest.fixture(scope="module")
def inside_quotes(itch, single, tmp_path_factory):
    """A quote file for SYM1: an away venue quoting a tick inside SYM1's own
    top of book (where the spread allows), so the Rule 611 check binds often."""
    from engine.surveil.mirror import mirrored_quotes

    r, _ = single
    mine = r.symbols_of(r.state_messages["locate"]) == "SYM1"
    ts, top = r.state_messages["ts"][mine], r.book_states[mine]
    ask, ask_size, bid, bid_size = (top[:, i] for i in range(4))
    live = (ask < 9_999_999_999) & (bid > -9_999_999_999)
    wide = live & (ask - bid > 200)
    q = mirrored_quotes(ts[live], np.where(wide, bid + 100, bid)[live], bid_size[live],
                        np.where(wide, ask - 100, ask)[live], ask_size[live], {"A": 0})
    path = tmp_path_factory.mktemp("quotes") / "SYM1.csv"
    path.write_text("ts,venue,bid,bid_size,ask,ask_size,condition\n" + "".join(
        f"{t},A,{b},{bs},{a},{az},\n" for t, b, bs, a, az in
        zip(*(q.quotes[c].tolist() for c in ("ts", "bid_price", "bid_size", "ask_price", "ask_size")))))
    return path


@pytest.fixture(scope="module")
def single_match(itch, single, inside_quotes, tmp_path_factory):
    """Each stock re-matched alone, in one process, its events kept."""
    r, _ = single
    folder = tmp_path_factory.mktemp("match-single")
    stocks = {}
    for sym, _, _ in r.stocks.values():
        m = rematch(itch, inside_quotes if sym == "SYM1" else None, symbol=sym,
                    events_out=folder / f"{safe_symbol(sym)}.parquet")
        stocks[sym] = {**stock_summary(m.book), "stats": m.stats, "events": m.events}
    return stocks, folder


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_re_matching_every_stock_as_in_a_single_process_whatever_the_workers(itch, single_match, inside_quotes,
                                                                           tmp_path, workers):
    want, folder = single_match
    got = replay_parallel(itch, workers=workers, mode="match", events_out=tmp_path / "events",
                          quotes={"SYM1": inside_quotes})
    assert got.stocks == want  # final book, the rematcher's counts, the events' counts, stock by stock
    assert want["SYM1"]["events"]["blocked"] > 0 and want["SYM1"]["events"]["codes"] != {"NO_TRADE_THROUGH": 1}
    assert sorted(p.name for p in (tmp_path / "events").iterdir()) == sorted(p.name for p in folder.iterdir())
    for f in folder.iterdir():  # every event, field for field
        assert pq.read_table(tmp_path / "events" / f.name).equals(pq.read_table(f)), f.name
    assert got.events["fills"] == sum(s["events"]["fills"] for s in want.values())
    assert "re-matched 9 stocks" in got.summary()


@needs_data
def test_re_matching_a_lobster_file_on_a_worker(tmp_path):
    single = rematch(AAPL_MSG)
    got = replay_parallel(AAPL_MSG, workers=1, mode="match", events_out=tmp_path)
    assert got.stocks == {"AAPL": {**stock_summary(single.book), "stats": single.stats, "events": single.events}}
    assert [p.name for p in tmp_path.iterdir()] == ["AAPL.parquet"]


def test_match_mode_arguments_are_refused_by_name(itch, tmp_path):
    with pytest.raises(ValueError, match="mode='rebuild'"):
        replay_parallel(itch, workers=1, mode="rebuild")
    with pytest.raises(ValueError, match="book_levels is for build mode"):
        replay_parallel(itch, workers=1, mode="match", book_levels=2, book_out=tmp_path)
    with pytest.raises(ValueError, match="events_out and quotes are for match mode"):
        replay_parallel(itch, workers=1, events_out=tmp_path)


@pytest.mark.parametrize("workers", [1, 2])
def test_lobster_files_written_by_the_workers_equal_a_single_process_s(itch, tmp_path, workers):
    from engine.replay import write_lobster

    (tmp_path / "one").mkdir()
    want = write_lobster(itch, tmp_path / "one", levels=5, date="2024-05-01")
    got = replay_parallel(itch, workers=workers, lobster_out=tmp_path / "many", levels=5, date="2024-05-01")
    assert sorted(got.lobster_files) == sorted(want.files) and len(want.files) == 9
    for sym, (msg, book, rows) in want.files.items():
        m, b, n = got.lobster_files[sym]
        assert (Path(m).name, Path(b).name, n) == (msg.name, book.name, rows)
        assert Path(m).read_bytes() == msg.read_bytes() and Path(b).read_bytes() == book.read_bytes()
    assert f"LOBSTER files for 9 stocks, {sum(r for *_, r in want.files.values()):,} rows" in got.summary()
    assert not list((tmp_path / "many").glob(".*partial"))


def test_the_cli_re_matches_and_writes_lobster_files_on_workers(itch, single_match, inside_quotes, tmp_path):
    want, _ = single_match
    quotes = tmp_path / "quotes"
    quotes.mkdir()
    (quotes / "SYM1.csv").write_bytes(inside_quotes.read_bytes())
    run = subprocess.run([sys.executable, "-m", "engine", "replay", str(itch), "--mode", "match", "--workers", "2",
                          "--quotes", str(quotes), "--events-out", str(tmp_path / "events"), "--no-progress"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "re-matched 9 stocks" in run.stdout and f"blocked {want['SYM1']['events']['blocked']:,}" in run.stdout
    assert len(list((tmp_path / "events").glob("*.parquet"))) == 9
    run = subprocess.run([sys.executable, "-m", "engine", "replay", str(itch), "--workers", "2", "--lobster-out",
                          str(tmp_path / "lob"), "--levels", "3", "--no-progress"], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert len(list((tmp_path / "lob").glob("*_message_3.csv"))) == 9 and "LOBSTER files for 9 stocks" in run.stdout
    bad = subprocess.run([sys.executable, "-m", "engine", "replay", str(itch), "--mode", "match", "--workers", "1",
                          "--quotes", str(inside_quotes)], capture_output=True, text=True)
    assert bad.returncode == 1 and "one file is one stock's quotes: name it with --symbols" in bad.stderr


def test_every_stock_re_matched_in_one_pass_of_one_process(itch, single_match, inside_quotes, tmp_path):
    """rematch_stocks: the single-process run the workers split, in one pass
    over the file, equals each stock re-matched alone."""
    from engine.replay import rematch_stocks

    want, folder = single_match
    runs = rematch_stocks(itch, quotes={"SYM1": inside_quotes}, events_out=tmp_path)
    assert {sym: {**stock_summary(r.book), "stats": r.stats, "events": r.events} for sym, r in runs.items()} == want
    for f in folder.iterdir():
        assert pq.read_table(tmp_path / f.name).equals(pq.read_table(f)), f.name
    assert list(rematch_stocks(itch, symbols=["SYM2", "SYM5"])) == ["SYM2", "SYM5"]


def test_the_cli_re_matches_every_stock_in_one_process(itch, single_match, tmp_path):
    want, _ = single_match
    run = subprocess.run([sys.executable, "-m", "engine", "replay", str(itch), "--mode", "match", "--events-out",
                          str(tmp_path), "--no-progress"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    fills = sum(s["events"]["fills"] for s in want.values()) - want["SYM1"]["events"]["fills"]  # SYM1 without quotes
    assert "re-matched 9 stocks" in run.stdout and len(list(tmp_path.glob("*.parquet"))) == 9
    assert f"engine: {fills + rematch(itch, symbol='SYM1').events['fills']:,} fills" in run.stdout


def test_the_readme_dask_commands_run_from_a_fresh_folder(tmp_path):
    """The README's Dask commands that need no outside file (not the reader's
    own trades or day.itch) run as written, in order, in an empty folder."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("### Beyond one core", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("  #")[0].strip() for line in block.splitlines() if line.startswith("python -m engine")]
    runnable = [c for c in commands if "samples/" in c or c.endswith(" sample")]
    assert len(runnable) >= 4
    for command in runnable:
        run = subprocess.run(command.replace("python", f'"{sys.executable}"', 1), shell=True, cwd=tmp_path,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"{command}: {run.stderr}"
    assert len(list((tmp_path / "events").glob("*.parquet"))) == 4
    assert len(list((tmp_path / "lobster").glob("*_orderbook_10.csv"))) == 4
