"""Book.execute(commands, out=...) (issue 11): events written into an array the
caller reuses across calls, so no call allocates or page-faults for them. The
events are exactly those execute returns without out=."""
from __future__ import annotations

import numpy as np
import pytest

from engine import EVENT_DTYPE, Book, ProtectedBook, Side
from engine.flow import generate_flow

FLOW = generate_flow(5_000, seed=8)


@pytest.mark.parametrize("make", [lambda: Book("O"), lambda: ProtectedBook("O", venues=["X", "Y"])],
                         ids=["plain", "protected"])
def test_events_land_in_out_and_equal_the_usual_ones(make):
    plain, lent = make(), make()
    out = np.zeros(20_000, dtype=EVENT_DTYPE)
    for part in np.array_split(FLOW, 4):  # the same array reused call after call
        want = plain.execute(part)
        got = lent.execute(part, out=out)
        assert got.base is out and got.tobytes() == want.tobytes()
    assert lent.save_snapshot() == plain.save_snapshot() and lent.pending_events == 0


def test_events_pending_from_earlier_calls_come_first():
    a, b = Book("P"), Book("P")
    for book in (a, b):
        book.submit(1, Side.SELL, 100_500, 100, ts=1)  # pending, not taken
    out = np.zeros(1_000, dtype=EVENT_DTYPE)
    got = b.execute(FLOW[:50], out=out)
    want = a.execute(FLOW[:50])
    assert got.base is out and got.tobytes() == want.tobytes() and got["seq"][0] == 1


def test_events_that_outgrow_out_all_come_back_in_a_new_array():
    a, b = Book("G"), Book("G")
    small = np.zeros(10, dtype=EVENT_DTYPE)
    got = b.execute(FLOW, out=small)
    want = a.execute(FLOW)
    assert got.base is not small and got.tobytes() == want.tobytes()
    tiny = np.zeros(1, dtype=EVENT_DTYPE)
    b.submit(10**9, Side.SELL, 100_500, 100)
    b.submit(10**9 + 1, Side.SELL, 100_500, 100)  # two pending: no room in tiny, which is then not used
    got = b.execute(FLOW[:0], out=tiny)
    assert len(got) == 2 and got.base is not tiny and tiny["seq"][0] == 0


@pytest.mark.parametrize("out, exc, match", [
    (np.zeros(10, dtype=np.int64), TypeError, "out must have dtype"),
    ([], TypeError, "out must be a numpy array"),
    (np.zeros(10, dtype=EVENT_DTYPE)[::2], ValueError, "out must be C-contiguous"),
])
def test_a_bad_out_is_refused_before_anything_runs(out, exc, match):
    book = Book("B")
    before = book.save_snapshot()
    with pytest.raises(exc, match=match):
        book.execute(FLOW[:10], out=out)
    assert book.save_snapshot() == before and book.pending_events == 0


def test_a_read_only_out_is_refused():
    book = Book("R")
    out = np.zeros(10, dtype=EVENT_DTYPE)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out must be a writable array"):
        book.execute(FLOW[:10], out=out)
    assert len(book) == 0
