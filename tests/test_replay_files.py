"""Replay files as they come from other sources (issue 12): times re-saved
through floats, byte order marks, xz and bzip2 files, and files that are
corrupt, truncated, mislabelled or not files at all, each one ReplayError
naming the file and the cause, never a traceback; and the anomalies real
files hold, each counted under its own name."""
import bz2
import gzip
import lzma
import subprocess
import sys

import numpy as np
import pytest

from engine import MAX_PRICE, MAX_QUANTITY, FeedKind, Side
from engine._core import BookBuilder, LobsterDecoder, generate_itch
from engine.dtypes import FEED_DTYPE
from engine.replay import ReplayError, file_format, replay, replay_itch, replay_lobster

ROWS = b"34200.5,1,7,100,100500,1\n34200.6,1,8,50,100600,-1\n34201,3,7,100,100500,1\n"


def decode(text: bytes) -> np.ndarray:
    records, used = LobsterDecoder().decode(text, True)
    assert used == len(text)
    return records


@pytest.mark.parametrize("time, ns", [
    (b"35821.088778456004", 35_821_088_778_456),  # a float re-save: the extra digits are noise
    (b"35821.0887784559999", 35_821_088_778_456),  # rounds to the nearest nanosecond
    (b"34200.0000000005", 34_200_000_000_001),  # a half rounds up
    (b"34200.00000000049999999999999", 34_200_000_000_000),  # any number of extra digits
    (b"34200.9999999996", 34_201_000_000_000),  # rounding carries into the seconds
    (b"34200.123", 34_200_123_000_000),
    (b"34200", 34_200_000_000_000),
    (b"34200.", 34_200_000_000_000),
])
def test_times_are_read_to_the_nearest_nanosecond(time, ns):
    assert decode(time + b",1,7,100,100500,1\n")["ts"].tolist() == [ns]


def test_a_byte_order_mark_is_skipped_not_taken_for_a_header(tmp_path):
    p = tmp_path / "X_message_1.csv"
    p.write_bytes(b"\xef\xbb\xbf" + ROWS)
    r = replay_lobster(p)
    assert (r.stats["messages"], r.stats["adds"], r.stats["deletes"]) == (3, 2, 1)
    with_header = tmp_path / "Y_message_1.csv"
    with_header.write_bytes(b"\xef\xbb\xbfTime,Type,OrderId,Size,Price,Direction\n" + ROWS)
    assert replay_lobster(with_header).stats["messages"] == 3
    assert file_format(tmp_path / "X_message_1.csv") == "lobster"


@pytest.mark.parametrize("first_line", [b"\x00\x24A\x00\x01", b"\x89PNG\r\n", b"-34200.5,1,7,100,100500,1"])
def test_a_first_line_that_is_neither_a_row_nor_a_header_is_refused(tmp_path, first_line):
    p = tmp_path / "X_message_1.csv"
    p.write_bytes(first_line + b"\n" + ROWS)
    with pytest.raises(ReplayError, match=r"X_message_1\.csv: line 1: bad time"):
        replay_lobster(p)


@pytest.mark.parametrize("suffix, compress", [(".gz", gzip.compress), (".xz", lzma.compress),
                                              (".bz2", bz2.compress)])
def test_compressed_files_replay_like_plain_ones(tmp_path, suffix, compress):
    plain = tmp_path / "X_message_1.csv"
    plain.write_bytes(ROWS)
    packed = tmp_path / ("X_message_1.csv" + suffix)
    packed.write_bytes(compress(ROWS))
    assert replay_lobster(packed).stats == replay_lobster(plain).stats
    itch = generate_itch(5_000, 2, 3)
    itch_plain, itch_packed = tmp_path / "day.itch", tmp_path / ("day.itch" + suffix)
    itch_plain.write_bytes(itch)
    itch_packed.write_bytes(compress(itch))
    assert replay_itch(itch_packed).stats == replay_itch(itch_plain).stats
    unnamed = tmp_path / ("flow" + suffix)  # format told from the decompressed first bytes
    unnamed.write_bytes(compress(ROWS))
    assert file_format(unnamed) == "lobster"


@pytest.mark.parametrize("suffix, compress", [(".gz", gzip.compress), (".xz", lzma.compress),
                                              (".bz2", bz2.compress)])
def test_truncated_and_corrupt_compressed_files_are_one_clear_error(tmp_path, suffix, compress):
    packed = compress(ROWS * 2_000)
    truncated = tmp_path / ("cut_message_1.csv" + suffix)
    truncated.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ReplayError, match=r"cut_message_1\.csv" + suffix + r": reading stopped after [\d,]+ bytes: "
                                          r"corrupt or truncated data"):
        replay_lobster(truncated)
    corrupt = bytearray(packed)
    corrupt[len(corrupt) // 2: len(corrupt) // 2 + 64] = bytes(64)
    bad = tmp_path / ("bad_message_1.csv" + suffix)
    bad.write_bytes(bytes(corrupt))
    with pytest.raises(ReplayError, match=r"bad_message_1\.csv" + suffix):
        replay_lobster(bad)


@pytest.mark.parametrize("suffix, name", [(".gz", "gzip"), (".xz", "xz"), (".bz2", "bzip2")])
def test_a_file_not_compressed_as_its_name_says_is_refused(tmp_path, suffix, name):
    p = tmp_path / ("X_message_1.csv" + suffix)
    p.write_bytes(ROWS)
    with pytest.raises(ReplayError, match=rf"X_message_1\.csv{suffix}: not a {name} file"):
        replay(p)


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "X_message_1.csv"
    folder.mkdir()
    with pytest.raises(ReplayError, match=r"X_message_1\.csv: is a folder"):
        replay(folder)


def test_a_zip_that_is_not_one_is_refused(tmp_path):
    p = tmp_path / "X_message_1.csv.zip"
    p.write_bytes(ROWS)
    with pytest.raises(ReplayError, match=r"X_message_1\.csv\.zip: not a zip file"):
        replay(p)


@pytest.mark.parametrize("content", [b"hello, this is plain text and not ITCH at all\n" * 50,
                                     bytes(range(256)) * 40])
def test_a_file_that_is_not_itch_fails_on_its_first_frames(tmp_path, content):
    p = tmp_path / "day.itch"
    p.write_bytes(content)
    with pytest.raises(ReplayError, match=r"day\.itch: byte 0: not an ITCH 5\.0 message type"):
        replay(p)


def test_every_itch_5_message_type_is_accepted_and_only_those(tmp_path):
    """The decoder skips the types it does not use by their ITCH 5.0 length; a
    type outside ITCH 5.0, or one of its types with another length, is refused."""
    lengths = {b"Y": 20, b"L": 26, b"V": 35, b"W": 12, b"K": 28, b"J": 35, b"h": 21, b"B": 19, b"I": 50, b"N": 20,
               b"O": 48}
    frames = b"".join(len(t + bytes(n - 1)).to_bytes(2, "big") + t + bytes(n - 1) for t, n in lengths.items())
    p = tmp_path / "other.itch"
    p.write_bytes(frames + generate_itch(1_000, 1, 1))
    assert replay(p).stats["messages"] > 0
    for bad in (b"\x00\x14Z" + bytes(19), b"\x00\x15Y" + bytes(20)):
        p.write_bytes(bad + generate_itch(1_000, 1, 1))
        with pytest.raises(ReplayError, match=r"other\.itch: byte 0: "):
            replay(p)


def test_the_cli_reports_a_bad_file_in_one_line(tmp_path):
    p = tmp_path / "X_message_1.csv.gz"
    p.write_bytes(ROWS)
    run = subprocess.run([sys.executable, "-m", "engine", "replay", str(p), "--no-progress"],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [f"error: {p}: not a gzip file (it is named .gz but does not start "
                                               f"like one)"]


def test_decoded_kinds_are_unchanged_by_the_stricter_reading():
    records = decode(ROWS)
    assert records["kind"].tolist() == [FeedKind.ADD, FeedKind.ADD, FeedKind.DELETE]


# ------------------------------------------------------------ anomalies
def feed(*rows) -> np.ndarray:
    """FEED_DTYPE records from (kind, order_id, side, price, quantity) rows, locate 0."""
    out = np.zeros(len(rows), dtype=FEED_DTYPE)
    for r, (kind, oid, side, price, qty) in zip(out, rows):
        r["kind"], r["order_id"], r["side"], r["price"], r["quantity"] = kind, oid, side, price, qty
    out["ts"] = np.arange(1, len(rows) + 1)
    return out


def test_each_unusable_add_is_counted_under_its_own_name():
    b = BookBuilder()
    b.apply(feed((FeedKind.ADD, 1, Side.BUY, 100_000, 100),
                 (FeedKind.ADD, 1, Side.BUY, 100_000, 100),  # the id is live
                 (FeedKind.ADD, 2, Side.BUY, 100_000, MAX_QUANTITY + 1),  # satoshis
                 (FeedKind.ADD, 3, Side.BUY, 100_000, 0),
                 (FeedKind.ADD, 4, Side.BUY, -100_000, 100),
                 (FeedKind.ADD, 5, Side.SELL, MAX_PRICE + 1, 100),
                 (FeedKind.ADD, 0, Side.SELL, 100_100, 100),
                 (FeedKind.ADD, 6, 0, 100_100, 100),
                 (FeedKind.REPLACE, 1, 0, 0, 0)))  # the new order (id 0, no price) is unusable: the old one is gone
    s = b.stats
    assert (s["adds"], s["duplicate_adds"], s["bad_sizes"], s["bad_prices"], s["zero_ids"], s["bad_sides"],
            s["unknown_orders"]) == (8, 1, 2, 2, 2, 1, 0)
    assert len(b.book(0)) == 0


def test_messages_about_orders_never_added_leave_the_other_orders_alone(tmp_path):
    """Before, a cancel or execution of an unknown order took its shares from
    whichever orders rested at that price, and those orders' own executions
    later came out as over-executions."""
    p = tmp_path / "X_message_1.csv"
    p.write_bytes(b"34200.0,1,1,100,100500,1\n"
                  b"34200.1,4,77,60,100500,1\n"  # an execution of an order resting before the file
                  b"34200.2,2,78,10,100500,1\n"  # a partial cancel of another
                  b"34200.3,3,79,30,100500,1\n"  # a delete of a third
                  b"34200.4,4,1,100,100500,1\n")  # order 1 executes in full: nothing over-executed
    r = replay_lobster(p)
    s = r.stats
    assert (s["unknown_orders"], s["over_executions"], s["executed_shares"]) == (3, 0, 160)
    assert len(r.book()) == 0


def test_with_its_orderbook_file_unknown_shares_come_off_the_level_the_file_shows(tmp_path):
    """Checked against an orderbook file, the book starts as its first row
    says (whose message is already in it, so order 1 is never added here): the
    level holds orders the replay never saw, their executions come off it, and
    the book stays equal to the file's."""
    msg = tmp_path / "X_message_1.csv"
    msg.write_bytes(b"34200.0,1,1,100,100500,1\n34200.1,4,77,60,100500,1\n34200.2,4,1,100,100500,1\n")
    book = tmp_path / "X_orderbook_1.csv"
    book.write_bytes(b"100600,100,100500,260\n100600,100,100500,200\n100600,100,100500,100\n")
    r = replay_lobster(msg, book)
    s = r.stats
    assert (s["rows_checked"], s["rows_matched"], s["unknown_orders"], s["over_executions"]) == (2, 2, 2, 0)
    assert r.book().top() == (100_500, 100, 100_600, 100)


def test_crossed_and_locked_states_are_counted_and_explained(tmp_path):
    p = tmp_path / "X_message_10.csv"
    p.write_bytes(b"34200.0,1,1,100,100500,1\n"
                  b"34200.1,1,2,100,100400,-1\n"  # crossed: a delete of order 1 fell outside the window
                  b"34200.2,1,3,100,100600,-1\n"  # still crossed
                  b"34200.3,3,1,100,100500,1\n"  # uncrossed
                  b"34200.4,1,4,100,100600,1\n")  # locked
    r = replay_lobster(p)
    assert r.stats["crossed_states"] == 3
    assert "3 states crossed or locked: the file's level window hides deletes; give its orderbook file to correct" \
        in r.summary()


def test_a_lobster_result_finds_its_book_by_the_symbol_in_its_name(tmp_path):
    p = tmp_path / "AMZN_2012-06-21_34200000_57600000_message_1.csv"
    p.write_bytes(ROWS)
    r = replay(p)
    assert r.book("AMZN").top() == (None, 0, 100_600, 50)
    assert r.book("AMZN").symbol == "AMZN"
    with pytest.raises(KeyError, match="no stock 'AAPL'"):
        r.book("AAPL")
