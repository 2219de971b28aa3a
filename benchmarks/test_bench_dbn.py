"""Databento DBN (MBO) replay throughput: a generated file of about 2.3 million
MBO records for 8 instruments (generated ITCH flow as a Databento feed of it
would carry it: executions as a fill then a cancel, replaces as a cancel and an
add; repeated with ids and times shifted), from disk to books, and decoding
alone. extra_info records messages per second.

    python -m pytest benchmarks/test_bench_dbn.py --benchmark-columns=min,median,max
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from engine._core import ItchDecoder, generate_itch
from engine.replay import iter_dbn, replay_dbn
from engine.replay.dbn import MBO_DTYPE

dbn = pytest.importorskip("databento_dbn", reason="databento-dbn is not installed (pip install databento-dbn)")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.dbn_files import itch_as_mbo, metadata  # noqa: E402

REPEAT = 10


@pytest.fixture(scope="module")
def dbn_file(tmp_path_factory):
    decoder = ItchDecoder()
    records, _ = decoder.decode(generate_itch(200_000, 8, 3), True)
    one = np.frombuffer(itch_as_mbo(records), dtype=MBO_DTYPE)
    many = np.concatenate([one] * REPEAT)
    for k in range(REPEAT):
        part = many[k * len(one):(k + 1) * len(one)]
        part["order_id"] += np.uint64(k * 10_000_000_000)
        part["ts_recv"] += np.uint64(k * 86_400_000_000_000)
    path = tmp_path_factory.mktemp("dbn") / "generated.dbn"
    path.write_bytes(metadata([(sym, loc) for loc, (sym, _, _) in decoder.stocks().items()]) + many.tobytes())
    return path, len(many)


@pytest.mark.benchmark(group="replay: DBN MBO file, 2.3M generated records")
def test_dbn_file_to_books(benchmark, dbn_file):
    path, n = dbn_file
    r = benchmark.pedantic(replay_dbn, args=(path,), rounds=5, iterations=1, warmup_rounds=1)
    assert r.messages == n and r.stats["unknown_orders"] == 0
    benchmark.extra_info["messages"] = n
    if benchmark.stats:
        benchmark.extra_info["messages_per_second"] = round(n / benchmark.stats.stats.median)


@pytest.mark.benchmark(group="replay: DBN MBO file, 2.3M generated records")
def test_dbn_decode(benchmark, dbn_file):
    path, n = dbn_file
    got = benchmark.pedantic(lambda: sum(len(b) for b in iter_dbn(path)), rounds=5, iterations=1, warmup_rounds=1)
    assert got == n
    benchmark.extra_info["messages"] = n
    if benchmark.stats:
        benchmark.extra_info["messages_per_second"] = round(n / benchmark.stats.stats.median)
