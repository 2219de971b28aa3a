"""LOBSTER files made from ITCH (issue 12): the round trip ITCH -> LOBSTER
files -> replay checked against the orderbook files agrees on every row, and
the final books equal the ITCH replay's; each ITCH message's LOBSTER row."""
import subprocess
import sys

import numpy as np
import pytest

from engine import FeedKind, Side
from engine._core import LobsterWriter, generate_itch
from engine.dtypes import FEED_DTYPE
from engine.replay import ReplayError, replay_itch, replay_lobster, write_lobster
from engine.replay.lobster_out import date_from_name


@pytest.mark.parametrize("levels, seed", [(1, 1), (10, 2), (3, 3)])
def test_itch_to_lobster_and_back_agrees_on_every_row(tmp_path, levels, seed):
    itch = tmp_path / "day.itch"
    itch.write_bytes(generate_itch(40_000, 3, seed))
    written = write_lobster(itch, tmp_path, levels=levels, date="2019-01-30")
    built = replay_itch(itch)
    assert sorted(written.files) == ["SYM0", "SYM1", "SYM2"]
    for sym, (msg, book, rows) in written.files.items():
        assert msg.name.startswith(f"{sym}_2019-01-30_") and msg.name.endswith(f"_message_{levels}.csv")
        r = replay_lobster(msg, book)
        s = r.stats
        assert s["messages"] == rows and s["rows_checked"] == rows - 1
        assert s["rows_matched"] == s["rows_checked"]  # 100%: nothing taken from the orderbook file
        assert r.corrections == s["unknown_orders"] == s["over_executions"] == 0
        fields = ["order_id", "side", "price", "leaves"]
        assert r.book().orders()[fields].tolist() == built.book(sym).orders()[fields].tolist()


def feed(*rows):
    out = np.zeros(len(rows), dtype=FEED_DTYPE)
    for r, (ts, kind, oid, side, price, qty, new_id, code) in zip(out, rows):
        r["ts"], r["kind"], r["order_id"], r["side"], r["price"], r["quantity"], r["new_order_id"], r["code"] = (
            ts, kind, oid, side, price, qty, new_id, code)
    return out


def test_each_itch_message_becomes_its_lobster_row():
    w = LobsterWriter(2)
    rows, book = w.write(feed(
        (34_200_000_000_001, FeedKind.ADD, 1, Side.BUY, 100_000, 300, 0, 0),
        (34_200_000_000_002, FeedKind.ADD, 2, Side.SELL, 100_100, 200, 0, 0),
        (34_200_000_000_003, FeedKind.CANCEL, 1, 0, 0, 100, 0, 0),  # ITCH X names no price or side
        (34_200_000_000_004, FeedKind.EXECUTE, 2, 0, 0, 50, 0, 0),
        (34_200_000_000_005, FeedKind.EXECUTE_AT_PRICE, 2, 0, 100_050, 50, 0, 0),  # at the order's price
        (34_200_000_000_006, FeedKind.REPLACE, 1, 0, 100_000, 500, 3, 0),  # same price: delete, then add
        (34_200_000_000_007, FeedKind.DELETE, 2, 0, 0, 0, 0, 0),
        (34_200_000_000_008, FeedKind.HIDDEN_EXECUTION, 0, Side.SELL, 100_020, 30, 0, 0),
        (34_200_000_000_009, FeedKind.CROSS_TRADE, 0, 0, 100_010, 1_000, 0, ord("O")),
        (34_200_000_000_010, FeedKind.TRADING_HALT, 0, 0, 0, 0, 0, ord("H")),
        (34_200_000_000_011, FeedKind.TRADING_HALT, 0, 0, 0, 0, 0, ord("Q")),
        (34_200_000_000_012, FeedKind.TRADING_HALT, 0, 0, 0, 0, 0, ord("T")),
        (34_200_000_000_013, FeedKind.DELETE, 99, 0, 0, 0, 0, 0),  # never added: not written
        (34_200_000_000_014, FeedKind.SYSTEM_EVENT, 0, 0, 0, 0, 0, ord("C"))))
    assert rows.decode().splitlines() == [
        "34200.000000001,1,1,300,100000,1",
        "34200.000000002,1,2,200,100100,-1",
        "34200.000000003,2,1,100,100000,1",
        "34200.000000004,4,2,50,100100,-1",
        "34200.000000005,4,2,50,100100,-1",
        "34200.000000006,3,1,200,100000,1",
        "34200.000000006,1,3,500,100000,1",
        "34200.000000007,3,2,100,100100,-1",
        "34200.000000008,5,0,30,100020,-1",
        "34200.000000009,6,0,1000,100010,-1",
        "34200.000000010,7,0,0,-1,-1",
        "34200.000000011,7,0,0,0,-1",
        "34200.000000012,7,0,0,1,-1",
    ]
    no_ask, no_bid = "9999999999,0", "-9999999999,0"
    assert book.decode().splitlines()[:8] == [
        f"{no_ask},100000,300,{no_ask},{no_bid}",
        f"100100,200,100000,300,{no_ask},{no_bid}",
        f"100100,200,100000,200,{no_ask},{no_bid}",
        f"100100,150,100000,200,{no_ask},{no_bid}",
        f"100100,100,100000,200,{no_ask},{no_bid}",
        f"100100,100,{no_bid},{no_ask},{no_bid}",  # the replace's delete: the book without either order
        f"100100,100,100000,500,{no_ask},{no_bid}",
        f"{no_ask},100000,500,{no_ask},{no_bid}",
    ]
    assert (w.rows, w.skipped) == (13, 2)


@pytest.mark.parametrize("name, date", [
    ("01302019.NASDAQ_ITCH50", "2019-01-30"), ("S20190130-v50.txt.gz", "2019-01-30"),
    ("itch_2020-12-31.bin", "2020-12-31"), ("flow.itch", None), ("12345678.itch", None)])
def test_the_day_comes_from_the_itch_files_name(name, date):
    assert date_from_name(name) == date


def test_symbols_choose_the_stocks_and_the_cli_writes_them(tmp_path):
    itch = tmp_path / "20190130.itch"
    itch.write_bytes(generate_itch(20_000, 4, 6))
    run = subprocess.run([sys.executable, "-m", "engine", "replay", str(itch), "--lobster-out", str(tmp_path),
                          "--symbols", "SYM1,SYM3", "--levels", "2", "--no-progress"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    files = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert len(files) == 4 and all(f.startswith(("SYM1_2019-01-30_", "SYM3_2019-01-30_")) for f in files)
    assert not list(tmp_path.glob(".*partial"))
    assert "SYM1" in run.stdout and "SYM3" in run.stdout


def test_bad_destinations_and_sources_are_one_clear_error(tmp_path):
    itch = tmp_path / "day.itch"
    itch.write_bytes(generate_itch(2_000, 1, 1))
    with pytest.raises(ReplayError, match="no such folder"):
        write_lobster(itch, tmp_path / "missing")
    with pytest.raises(ValueError, match="date='30/01/2019' must be YYYY-MM-DD"):
        write_lobster(itch, tmp_path, date="30/01/2019")
    with pytest.raises(ValueError, match="levels=0 must be between 1 and 1000"):
        LobsterWriter(0)
    lob = tmp_path / "X_message_1.csv"
    lob.write_bytes(b"34200.5,1,7,100,100500,1\n")
    run = subprocess.run([sys.executable, "-m", "engine", "replay", str(lob), "--lobster-out", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "makes LOBSTER files from ITCH files" in run.stderr
    broken = tmp_path / "cut.itch"
    broken.write_bytes(generate_itch(2_000, 1, 1)[:-3])
    with pytest.raises(ReplayError, match="truncated"):
        write_lobster(broken, tmp_path)
    assert not list(tmp_path.glob(".*partial"))  # a failed run leaves no half-written files
