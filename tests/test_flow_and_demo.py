"""The workload generator, the demo (the README's main job) and the CLI."""
import subprocess
import sys

import numpy as np
import pytest

from engine import COMMAND_DTYPE, Action, Book, EventType, Reason, TickRegime, is_valid_price, price_at_index
from engine.demo import run_demo
from engine.flow import PROFILES, generate_flow, price_at_indices, resting_orders


def test_flow_is_reproducible_and_seed_dependent():
    a = generate_flow(5_000, seed=1)
    assert a.dtype == COMMAND_DTYPE
    assert a.tobytes() == generate_flow(5_000, seed=1).tobytes()
    assert a.tobytes() != generate_flow(5_000, seed=2).tobytes()


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_flow_prices_are_on_the_grid_and_mostly_accepted(profile):
    prof = PROFILES[profile]
    flow = generate_flow(20_000, seed=3, profile=profile)
    priced = flow["price"][flow["price"] > 0]
    assert all(is_valid_price(int(p), prof.tick_regime) for p in np.unique(priced))
    assert np.all(np.diff(flow["ts"]) >= 0)
    book = Book("F", tick_regime=prof.tick_regime)
    ev = book.execute(flow)
    rejected = ev[ev["type"] == EventType.REJECTED]
    assert len(rejected) < 0.05 * len(flow)
    # the only rejects are cancels/replaces of orders that executed since the last sync,
    # and market orders that found the other side empty
    assert set(rejected["reason"].tolist()) <= {Reason.UNKNOWN_ORDER_ID, Reason.NO_LIQUIDITY}
    counts = {a: int((flow["action"] == a).sum()) for a in Action}
    assert counts[Action.CANCEL] > 0.3 * len(flow) and counts[Action.REPLACE] > 0
    assert (ev["type"] == EventType.FILL).sum() > 0
    assert book.check_integrity() is None


def test_one_dollar_profile_quotes_on_both_sides_of_a_dollar():
    flow = generate_flow(20_000, seed=4, profile="one_dollar")
    priced = flow["price"][flow["price"] > 0]
    assert (priced < 10_000).sum() > 1_000 and (priced >= 10_000).sum() > 1_000


def test_vectorised_price_at_index_matches_the_core():
    idx = np.arange(9_000, 11_000)
    for regime in TickRegime:
        assert price_at_indices(idx, regime).tolist() == [price_at_index(int(i), regime) for i in idx]


def test_resting_orders_never_cross():
    flow = resting_orders(5_000, seed=5)
    book = Book("R")
    ev = book.execute(flow)
    assert not (ev["type"] == EventType.FILL).any()
    assert len(book) == 5_000


def test_pure_book_building_flow_never_runs_the_shadow_book(monkeypatch):
    """Only cancels and replaces need the live orders the shadow book reports; a
    flow of adds alone used to sync it every 256 messages at O(resting) each, so
    resting_orders(300_000) took 34 s. Its output is unchanged by skipping it."""
    import engine.flow as flow_module

    runs = []

    class CountingBook(Book):
        def execute(self, *args, **kwargs):
            runs.append(1)
            return super().execute(*args, **kwargs)

    expected = resting_orders(2_000, seed=4)
    monkeypatch.setattr(flow_module, "Book", CountingBook)
    assert np.array_equal(resting_orders(2_000, seed=4), expected)
    assert runs == []
    generate_flow(2_000, seed=4)
    assert len(runs) == 2_000 // 256


def test_generate_flow_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n="):
        generate_flow(-1)
    assert generate_flow(0).size == 0


def test_demo_reports_and_returns_its_figures():
    lines = []
    figures = run_demo(messages=20_000, seed=1, show_events=5, out=lines.append)
    text = "\n".join(lines)
    assert "Batch run: 20,000 messages" in text
    assert "integrity OK" in text
    assert "The first 5 events:" in text
    assert figures["integrity"] is None and figures["fills"] > 0 and figures["submit_ns"] > 0


def test_cli_runs_the_demo():
    out = subprocess.run([sys.executable, "-m", "engine", "demo", "--messages", "5000", "--show-events", "3"],
                         capture_output=True, text=True, check=True, timeout=120)
    assert "Batch run: 5,000 messages" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "engine", "demo", "--profile", "nope"], capture_output=True, text=True)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_the_readme_main_job_runs():
    """`python -m engine` with no arguments: the README's first command after install."""
    out = subprocess.run([sys.executable, "-m", "engine"], capture_output=True, text=True, check=True, timeout=300)
    assert "generated.itch (itch): 2,000," in out.stdout and "anomalies: none" in out.stdout
    assert "Batch run: 200,000 messages" in out.stdout and "integrity OK" in out.stdout


def test_cli_output_piped_into_head_stops_quietly():
    """`python -m engine replay | head -1`: no traceback when the reader goes away."""
    p = subprocess.Popen([sys.executable, "-m", "engine", "replay", "--generate", "50000", "--no-progress"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()  # what `head -1` does after its line
    _, err = p.communicate(timeout=120)
    assert b"Traceback" not in err
