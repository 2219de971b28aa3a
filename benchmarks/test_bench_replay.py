"""Replay throughput: from file bytes to books, no Python per message.

* LOBSTER: the AMZN full-day file (57,515 messages), repeated 40 times with
  order ids and times shifted per repetition, so the run is long enough to
  measure: decoding the text, and building the book from the records.
* ITCH: a generated file of 10 million order messages for 8 stocks, replayed
  from disk to books end to end (read, decode, build).

Each benchmark records messages per second in extra_info; the target is 10
million per second on one core. Run:
    python -m pytest benchmarks/test_bench_replay.py --benchmark-columns=min,median,max,rounds
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from engine._core import BookBuilder, LobsterDecoder, generate_itch
from engine.dtypes import FEED_DTYPE
from engine.replay import replay_itch

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
AMZN = DATA / "lobster" / "AMZN_2012-06-21_34200000_57600000_message_1.csv"
REPEAT = 40
ITCH_MESSAGES = int(os.environ.get("ENGINE_BENCH_ITCH_MESSAGES", 10_000_000))


def record_rate(benchmark, messages: int) -> None:
    """Messages per second at the median round (absent with --benchmark-disable)."""
    benchmark.extra_info["messages"] = messages
    if benchmark.stats:
        benchmark.extra_info["messages_per_second"] = round(messages / benchmark.stats.stats.median)


def amzn_text() -> bytes:
    lines = AMZN.read_bytes().split(b"\n", 1)[1].rstrip(b"\n") + b"\n"  # no header; one newline at the end
    return lines * REPEAT


def amzn_records() -> np.ndarray:
    one, _ = LobsterDecoder().decode(AMZN.read_bytes(), True)
    out = np.empty(len(one) * REPEAT, dtype=FEED_DTYPE)
    day = 86_400_000_000_000
    for k in range(REPEAT):
        part = out[k * len(one):(k + 1) * len(one)]
        part[...] = one
        part["order_id"] = np.where(one["order_id"] > 0, one["order_id"] + k * 10_000_000_000, 0)
        part["ts"] = one["ts"] + k * day
    return out


@pytest.mark.skipif(not AMZN.exists(), reason="the shared data folder is not beside the checkout")
@pytest.mark.benchmark(group="replay: LOBSTER AMZN x40 (2.3M messages)")
def test_lobster_decode(benchmark):
    text = amzn_text()
    buf = np.empty(1 << 16, dtype=FEED_DTYPE)

    def decode_all():
        d = LobsterDecoder()
        view = memoryview(text)
        n = 0
        while len(view):
            recs, used = d.decode(view, True, out=buf)
            n += len(recs)
            view = view[used:]
        return n

    n = benchmark.pedantic(decode_all, rounds=5, iterations=1, warmup_rounds=1)
    assert n == 57_515 * REPEAT
    benchmark.extra_info["messages"] = n
    record_rate(benchmark, n)


@pytest.mark.skipif(not AMZN.exists(), reason="the shared data folder is not beside the checkout")
@pytest.mark.benchmark(group="replay: LOBSTER AMZN x40 (2.3M messages)")
def test_lobster_build(benchmark):
    records = amzn_records()

    def build():
        b = BookBuilder()
        for i in range(0, len(records), 1 << 16):  # the readers' batch size
            b.apply(records[i:i + (1 << 16)])
        return b

    b = benchmark.pedantic(build, rounds=5, iterations=1, warmup_rounds=1)
    assert b.stats["messages"] == len(records) and b.stats["duplicate_adds"] == 0
    benchmark.extra_info["messages"] = len(records)
    record_rate(benchmark, len(records))


@pytest.mark.skipif(not AMZN.exists(), reason="the shared data folder is not beside the checkout")
@pytest.mark.parametrize("levels", [1, 10])
@pytest.mark.benchmark(group="book states: the book after every message, LOBSTER AMZN x40")
def test_lobster_build_with_book_states(benchmark, levels):
    """Book building that also writes the top ``levels`` of the book after every
    message into an array (issue 12's target: 5 M messages/s at 10 levels)."""
    records = amzn_records()
    states = np.empty((1 << 16, 4 * levels), dtype=np.int64)  # one batch's rows, reused as a replay does

    def build():
        b = BookBuilder()
        for i in range(0, len(records), 1 << 16):
            batch = records[i:i + (1 << 16)]
            b.apply(batch, states[:len(batch)])
        return b

    b = benchmark.pedantic(build, rounds=5, iterations=1, warmup_rounds=1)
    assert b.stats["messages"] == len(records)
    record_rate(benchmark, len(records))


@pytest.mark.parametrize("levels", [0, 1, 10])
@pytest.mark.benchmark(group="book states: the book after every message, 4M generated ITCH messages")
def test_itch_build_with_book_states(benchmark, levels):
    """The same on generated ITCH flow for 8 stocks (books that never cross);
    levels 0 is book building alone, for the ratio."""
    from engine._core import ItchDecoder

    records, _ = ItchDecoder().decode(generate_itch(4_000_000, 8, seed=2), True)
    states = np.empty((1 << 16, 4 * max(levels, 1)), dtype=np.int64)

    def build():
        b = BookBuilder()
        for i in range(0, len(records), 1 << 16):
            batch = records[i:i + (1 << 16)]
            b.apply(batch, states[:len(batch)] if levels else None)
        return b

    b = benchmark.pedantic(build, rounds=5, iterations=1, warmup_rounds=1)
    assert b.stats["messages"] == len(records)
    record_rate(benchmark, len(records))


@pytest.fixture(scope="module")
def itch_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("itch") / "generated.itch"
    path.write_bytes(generate_itch(ITCH_MESSAGES, 8, seed=1))
    return path


@pytest.mark.benchmark(group="replay: ITCH file to books, 10M generated messages")
def test_itch_file_to_books(benchmark, itch_file):
    result = benchmark.pedantic(replay_itch, args=(itch_file,), rounds=3, iterations=1, warmup_rounds=1)
    s = result.stats
    assert s["unknown_orders"] == s["duplicate_adds"] == 0
    assert s["messages"] >= ITCH_MESSAGES
    benchmark.extra_info["messages"] = s["messages"]
    record_rate(benchmark, s["messages"])


@pytest.fixture(scope="module")
def amzn_file(tmp_path_factory):
    """AMZN's day 40 times over in one file, order ids and times shifted per copy."""
    records = amzn_records()
    path = tmp_path_factory.mktemp("lobster") / "AMZNx40_message_1.csv"
    kind_to_type = np.array([0, 1, 2, 3, 4, 0, 0, 5, 6, 7, 0, 0])
    cols = np.column_stack([records["ts"] // 1_000_000_000, records["ts"] % 1_000_000_000,
                            kind_to_type[records["kind"]], records["order_id"], records["quantity"],
                            records["price"], np.where(records["side"] == 1, 1, -1)])
    with open(path, "w") as f:
        np.savetxt(f, cols, fmt="%d.%09d,%d,%d,%d,%d,%d")
    return path


@pytest.mark.skipif(not AMZN.exists(), reason="the shared data folder is not beside the checkout")
@pytest.mark.benchmark(group="replay: LOBSTER AMZN x40 (2.3M messages)")
def test_lobster_file_to_book(benchmark, amzn_file):
    from engine.replay import replay_lobster

    result = benchmark.pedantic(replay_lobster, args=(amzn_file,), rounds=5, iterations=1, warmup_rounds=1)
    assert result.messages == 57_515 * REPEAT and result.stats["duplicate_adds"] == 0
    benchmark.extra_info["messages"] = result.messages
    record_rate(benchmark, result.messages)
