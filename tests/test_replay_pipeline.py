"""Replay on two threads (issue 11): decoding on one, building on the other,
gives exactly the single-threaded result, and an error on either side stops
both and is raised, with no thread left behind."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import engine.replay.decode as decode_mod
from engine._core import generate_itch
from engine.replay import ReplayError, replay_itch, replay_lobster
from engine.replay.decode import iter_itch
from engine.replay.pipeline import pipelined
from support.shared_data import AMZN_MSG, needs_data


def same_books(a, b) -> bool:
    books_a = {loc: a.builder.book(loc) for loc in range(65536) if a.builder.book(loc) is not None} \
        if a.file_format == "itch" else {0: a.book()}
    books_b = {loc: b.builder.book(loc) for loc in books_a}
    return all(books_b[k] is not None and books_a[k].orders().tobytes() == books_b[k].orders().tobytes()
               for k in books_a)


@pytest.fixture
def small_batches(monkeypatch):
    """Many small reads and batches, so the threads hand over often."""
    monkeypatch.setattr(decode_mod, "CHUNK_BYTES", 4_096)
    monkeypatch.setattr(decode_mod, "BUFFER_RECORDS", 97)
    import engine.replay.pipeline as pipeline_mod
    monkeypatch.setattr(pipeline_mod, "BUFFER_RECORDS", 97)


@pytest.mark.parametrize("symbols", [None, ["SYM2", "SYM5"]])
def test_itch_on_two_threads_builds_the_same_books(tmp_path, small_batches, symbols):
    path = tmp_path / "flow.itch"
    path.write_bytes(generate_itch(30_000, 6, 4))
    one = replay_itch(path, symbols, threads=False)
    two = replay_itch(path, symbols, threads=True)
    assert one.stats == two.stats and one.stocks == two.stocks
    assert same_books(one, two)
    assert (symbols is None) or len({loc for loc in range(100) if two.builder.book(loc) is not None}) == 2


@needs_data
def test_lobster_on_two_threads_builds_the_same_book(small_batches):
    one = replay_lobster(AMZN_MSG, threads=False)
    two = replay_lobster(AMZN_MSG, threads=True)
    assert one.stats == two.stats and same_books(one, two)


def test_a_bad_file_stops_both_threads(tmp_path, small_batches):
    path = tmp_path / "bad.itch"
    good = generate_itch(5_000, 2, 1)
    path.write_bytes(good[: len(good) // 2] + b"\x00\x05Zzzzz" + good[len(good) // 2:])
    before = threading.active_count()
    with pytest.raises(ReplayError, match="bad.itch"):
        replay_itch(path, threads=True)
    assert threading.active_count() == before


def test_an_error_while_building_stops_the_decoding_thread(tmp_path, small_batches):
    path = tmp_path / "flow.itch"
    path.write_bytes(generate_itch(20_000, 2, 1))
    seen = []

    def consume(batch, _info):
        seen.append(len(batch))
        if len(seen) == 3:
            raise KeyboardInterrupt

    before = threading.active_count()
    with pytest.raises(KeyboardInterrupt):
        pipelined(lambda buffers: iter_itch(path, None, None, buffers), consume)
    assert threading.active_count() == before and len(seen) == 3


def test_batches_arrive_in_order_and_intact(tmp_path, small_batches):
    """Each batch is used before its array is lent out again: the records seen
    on the building side are the file's, in order."""
    path = tmp_path / "flow.itch"
    path.write_bytes(generate_itch(20_000, 3, 2))
    want = np.concatenate([b.copy() for b in iter_itch(path)])
    got = []
    pipelined(lambda buffers: iter_itch(path, None, None, buffers), lambda batch, _: got.append(batch.copy()))
    assert np.array_equal(np.concatenate(got), want)  # field by field: padding bytes are unset


def test_a_file_with_no_line_ends_is_refused_not_buffered(tmp_path, monkeypatch):
    """A crafted LOBSTER-named file of one endless line: refused once the line
    passes MAX_RECORD_BYTES, instead of growing the read buffer without bound."""
    monkeypatch.setattr(decode_mod, "MAX_RECORD_BYTES", 1 << 16)
    monkeypatch.setattr(decode_mod, "CHUNK_BYTES", 4_096)
    path = tmp_path / "X_2012-06-21_34200000_57600000_message_1.csv"
    path.write_bytes(b"3" * 200_000)
    for threads in (False, True):
        with pytest.raises(ReplayError, match="a record longer than"):
            replay_lobster(path, threads=threads)
