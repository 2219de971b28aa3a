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
from engine.replay import replay, replay_itch, replay_parallel
from engine.replay.parallel import stock_summary
from engine.replay.states import book_state_columns
from support.dask_kill import kill_first_run

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
