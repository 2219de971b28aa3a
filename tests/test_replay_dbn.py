"""Databento DBN (MBO) replay (issue 12), on files written by the
databento-dbn package's own encoder (there is no public US-equities sample to
ship): each action's effect on the book, instruments as books named by the
metadata's mappings, exact price conversion, F_LAST in the book states, .zst,
and bad files as one ReplayError."""
import pytest

from engine import FeedKind
from engine._core import ItchDecoder, generate_itch
from engine.replay import ReplayError, file_format, replay, replay_dbn, replay_itch
from engine.replay.states import NO_BID_PRICE

dbn = pytest.importorskip("databento_dbn")
from support.dbn_files import NS_PER_UNIT, itch_as_mbo, mbo, metadata  # noqa: E402

def write(path, *records, mappings=(("AAPL", 7), ("MSFT", 9))):
    path.write_bytes(metadata(list(mappings)) + b"".join(records))
    return path


def test_each_action_moves_the_book_as_databento_defines_it(tmp_path):
    p = write(tmp_path / "day.dbn",
              mbo("ADD", "BID", 1, 100_000, 100, ts=1),
              mbo("ADD", "BID", 2, 100_000, 200, ts=2),
              mbo("ADD", "ASK", 3, 100_100, 300, ts=3),
              mbo("ADD", "ASK", 4, 100_200, 50, instrument=9, ts=4),
              mbo("MODIFY", "BID", 1, 100_000, 60, ts=5),  # smaller, same price: keeps its place
              mbo("TRADE", "ASK", 0, 100_000, 60, ts=6, flags=0),  # trades and fills change nothing ...
              mbo("FILL", "BID", 1, 100_000, 60, ts=6, flags=0),
              mbo("CANCEL", "BID", 1, 100_000, 60, ts=6),  # ... the cancel that follows does
              mbo("MODIFY", "BID", 2, 99_900, 200, ts=7),  # a new price: back of the new level
              mbo("CANCEL", "ASK", 3, 100_100, 100, ts=8),  # part of an order
              mbo("MODIFY", "ASK", 5, 100_300, 10, ts=9))  # an order never added: added, counted
    r = replay(p)
    s = r.stats
    assert (s["messages"], s["adds"], s["modifies"], s["cancels"], s["trades"], s["trade_shares"], s["fills"],
            s["fill_shares"], s["unknown_orders"]) == (11, 4, 3, 2, 1, 60, 1, 60, 1)
    aapl = r.book("AAPL")
    assert [(o["order_id"], o["price"], o["leaves"]) for o in aapl.orders()] == [
        (2, 99_900, 200), (3, 100_100, 200), (5, 100_300, 10)]
    assert r.book("MSFT").top() == (None, 0, 100_200, 50)
    assert r.file_format == "dbn" and file_format(p) == "dbn"


def test_modify_keeps_priority_only_when_the_price_stays_and_the_size_does_not_grow(tmp_path):
    p = write(tmp_path / "m.dbn",
              mbo("ADD", "BID", 1, 100_000, 100), mbo("ADD", "BID", 2, 100_000, 100),
              mbo("MODIFY", "BID", 1, 100_000, 90),  # smaller: still first
              mbo("MODIFY", "BID", 2, 100_000, 150),  # larger: goes last (it already was)
              mbo("MODIFY", "BID", 1, 100_000, 95))  # larger than 90: now behind order 2
    orders = replay(p).book("AAPL").orders()
    assert orders["order_id"].tolist() == [2, 1] and orders["leaves"].tolist() == [150, 95]


def test_clear_empties_only_its_instruments_book(tmp_path):
    p = write(tmp_path / "c.dbn",
              mbo("ADD", "BID", 1, 100_000, 100), mbo("ADD", "ASK", 2, 100_100, 100),
              mbo("ADD", "BID", 3, 50_000, 100, instrument=9),
              mbo("CLEAR", "NONE", 0, None, 0),
              mbo("ADD", "BID", 4, 100_000, 7))
    r = replay(p)
    assert r.stats["clears"] == 1
    assert r.book("AAPL").orders()["order_id"].tolist() == [4]
    assert len(r.book("MSFT")) == 1


def test_book_states_mark_event_ends_with_f_last(tmp_path):
    p = write(tmp_path / "s.dbn",
              mbo("ADD", "ASK", 1, 100_100, 100, flags=dbn.F_LAST),
              mbo("FILL", "ASK", 1, 100_100, 40, flags=0),
              mbo("CANCEL", "ASK", 1, 100_100, 40, flags=dbn.F_LAST))
    r = replay(p, book_levels=1, keep_book_states=True)
    assert r.book_states.tolist() == [[100_100, 100, NO_BID_PRICE, 0], [100_100, 100, NO_BID_PRICE, 0],
                                      [100_100, 60, NO_BID_PRICE, 0]]
    last = (r.state_messages["code"] & 128) != 0
    assert last.tolist() == [True, False, True]
    assert r.state_messages["kind"].tolist() == [FeedKind.ADD, FeedKind.FILL, FeedKind.CANCEL]


@pytest.mark.parametrize("threads", [True, False])
def test_the_same_flow_from_dbn_and_from_itch_builds_the_same_books(tmp_path, threads):
    raw = generate_itch(30_000, 4, 11)
    itch = tmp_path / "day.itch"
    itch.write_bytes(raw)
    decoder = ItchDecoder()
    records, _ = decoder.decode(raw, True)
    stocks = decoder.stocks()
    p = tmp_path / "day.dbn"
    p.write_bytes(metadata([(sym, loc) for loc, (sym, _, _) in stocks.items()]) + itch_as_mbo(records))
    want = replay_itch(itch)
    got = replay_dbn(p, threads=threads)
    assert got.stats["unknown_orders"] == got.stats["bad_prices"] == got.stats["duplicate_adds"] == 0
    for loc, (sym, _, _) in stocks.items():
        w, g = want.book(sym), got.book(sym)
        if w is None:
            continue
        assert g.orders()[["order_id", "side", "price", "leaves"]].tolist() == \
            w.orders()[["order_id", "side", "price", "leaves"]].tolist()


def test_a_zstd_file_replays_like_a_plain_one(tmp_path):
    zstandard = pytest.importorskip("zstandard")
    body = metadata([("AAPL", 7)]) + mbo("ADD", "BID", 1, 100_000, 100) + mbo("ADD", "ASK", 2, 100_100, 50)
    (tmp_path / "a.dbn").write_bytes(body)
    (tmp_path / "a.dbn.zst").write_bytes(zstandard.ZstdCompressor().compress(body))
    assert replay(tmp_path / "a.dbn.zst").stats == replay(tmp_path / "a.dbn").stats
    assert replay(tmp_path / "a.dbn.zst").book("AAPL").top() == (100_000, 100, 100_100, 50)


def test_instruments_without_a_mapping_are_named_by_their_id(tmp_path):
    p = write(tmp_path / "u.dbn", mbo("ADD", "BID", 1, 100_000, 100, instrument=12345), mappings=())
    assert replay(p).book("12345").top() == (100_000, 100, None, 0)


def test_symbols_select_books(tmp_path):
    p = write(tmp_path / "sel.dbn", mbo("ADD", "BID", 1, 100_000, 100, instrument=7),
              mbo("ADD", "BID", 2, 100_000, 100, instrument=9))
    r = replay(p, symbols=["MSFT"])
    assert r.book("MSFT") is not None and r.builder.book_count == 1 and r.stats["filtered"] == 1


def test_other_record_types_are_skipped_and_counted(tmp_path):
    system = bytes(dbn.SystemMsg(ts_event=1, msg="heartbeat"))
    p = write(tmp_path / "live.dbn", system, mbo("ADD", "BID", 1, 100_000, 100), system)
    r = replay(p)
    assert (r.stats["skipped_types"], r.stats["adds"]) == (2, 1)


# ---------------------------------------------------------------- bad files
def test_a_price_that_is_not_on_the_ten_thousandth_is_refused(tmp_path):
    rec = bytearray(mbo("ADD", "BID", 1, 100_000, 100))
    rec[24:32] = (100_000 * NS_PER_UNIT + 1).to_bytes(8, "little", signed=True)
    p = write(tmp_path / "px.dbn", mbo("ADD", "BID", 9, 100_000, 100), bytes(rec))
    with pytest.raises(ReplayError, match=r"px\.dbn: record 1: price 10000000001 \(units of 1e-9 \$\) is not a "
                                          r"whole number of \$0\.0001"):
        replay(p)


def test_a_schema_other_than_mbo_is_refused(tmp_path):
    p = tmp_path / "t.dbn"
    p.write_bytes(metadata([("AAPL", 7)], schema=dbn.Schema.TRADES))
    with pytest.raises(ReplayError, match=r"t\.dbn: schema trades: only MBO"):
        replay(p)


@pytest.mark.parametrize("cut", [5, 60, 100])
def test_truncated_dbn_files_are_refused(tmp_path, cut):
    body = metadata([("AAPL", 7)]) + mbo("ADD", "BID", 1, 100_000, 100) * 3
    p = tmp_path / "cut.dbn"
    p.write_bytes(body[:len(body) - cut] if cut != 100 else body[:40])
    with pytest.raises(ReplayError, match=r"cut\.dbn: "):
        replay(p)


def test_a_file_named_dbn_that_is_not_one_is_refused(tmp_path):
    p = tmp_path / "x.dbn"
    p.write_bytes(b"34200.5,1,7,100,100500,1\n")
    with pytest.raises(ReplayError, match=r"x\.dbn: not a DBN file"):
        replay(p)


def test_itch_made_into_dbn_builds_the_same_books(tmp_path):
    import datetime as dt

    from engine.replay.dbn_out import itch_to_dbn

    itch = tmp_path / "day.itch"
    itch.write_bytes(generate_itch(40_000, 3, 12))
    records = itch_to_dbn(itch, tmp_path / "day.dbn", dt.date(2019, 1, 30))
    want, got = replay(itch), replay(tmp_path / "day.dbn")
    assert got.messages == records and got.stats["fills"] > 0 and got.stats["unknown_orders"] == 0
    fields = ["order_id", "side", "price", "leaves"]
    for sym, _, _ in want.stocks.values():
        if want.book(sym) is not None:
            assert got.book(sym).orders()[fields].tolist() == want.book(sym).orders()[fields].tolist()
    assert got.state_messages is None and int(replay(tmp_path / "day.dbn", book_levels=1, keep_book_states=True)
                                               .state_messages["ts"][0]) // 86_400_000_000_000 == 17_926  # 2019-01-30


def test_the_sample_command_writes_files_that_replay(tmp_path):
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "engine", "sample", str(tmp_path), "--messages", "20000"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "20190130.itch").exists() and (tmp_path / "20190130.mbo.dbn").exists()
    assert replay(tmp_path / "20190130.mbo.dbn").builder.book_count == 4
