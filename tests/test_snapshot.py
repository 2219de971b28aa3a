"""Snapshots of a book's whole state: a round trip gives the same book, and a
crafted or damaged snapshot is refused with the field it fails on, never
loaded into a book that loops, wraps or crashes (issue 9, item 9)."""
from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
import zlib

import pytest

from engine import Side
from engine._core import load_snapshot
from support.child_process import child_env
from support.snapshot_sample import book, load

HEADER = 16  # magic, format version, reserved
ORDERS = HEADER + 1 + 8 + 8 + 8  # regime, seq, clock, order count
ORDER = 52  # id, price, ts, filled (8 each); shown, reserve, peak, participant (4 each); side, tif (1); flags (2)
FIELD = {"id": 0, "price": 8, "ts": 16, "filled": 24, "shown": 32, "reserve": 36, "peak": 40, "participant": 44,
         "side": 48, "tif": 49, "flags": 50}


def resealed(data: bytes) -> bytes:
    """The same bytes with the checksum made right again (what a forger would do)."""
    return data[:-4] + struct.pack("<I", zlib.crc32(data[:-4]))


def patched(data: bytes, offset: int, fmt: str, value) -> bytes:
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, value)
    return resealed(bytes(b))


def order_offset(snap: bytes, order_id: int) -> int:
    count = struct.unpack_from("<Q", snap, ORDERS - 8)[0]
    for i in range(count):
        if struct.unpack_from("<Q", snap, ORDERS + i * ORDER)[0] == order_id:
            return ORDERS + i * ORDER
    raise AssertionError(order_id)


def test_round_trip_gives_the_same_book_and_the_same_future():
    a = book()
    b = load(a.save_snapshot())
    assert b.save_snapshot() == a.save_snapshot()
    assert b.orders().tobytes() == a.orders().tobytes() and b.config == a.config
    for x in (a, b):
        x.update_quote("Y", 0, 0, 101_100, 100, ts=20)  # order 4 goes back to its limit
        x.submit(9, Side.SELL, 100_200, 300, ts=21)
    assert a.take_events().tobytes() == b.take_events().tobytes()


@pytest.mark.parametrize("order_id, field, fmt, value, message", [
    (1, "peak", "<I", 0, r"orders\[\d\]: a reserve order with no display size"),
    (2, "shown", "<I", 2**32 - 1, r"orders\[\d\]: an order larger than the largest order"),
    (2, "side", "<B", 3, r"orders\[\d\]\.side: not BUY or SELL"),
    (2, "tif", "<B", 3, r"orders\[\d\]\.tif: a resting order is DAY or GTC"),
    (2, "flags", "<H", 1 << 13, r"orders\[\d\]: an order with unknown flag bits"),
    (2, "flags", "<H", 7 << 2, r"orders\[\d\]: an order with an unknown self-trade mode"),
    (2, "id", "<Q", 0, r"orders\[\d\]: an order with id 0"),
    (2, "id", "<Q", 1, r"orders\[\d\]\.id: the same id twice"),
    (2, "price", "<q", 100_250, r"orders\[\d\]: order ranked off the grid"),
    (2, "ts", "<q", 10**15, r"orders\[\d\]\.ts: later than the book's clock"),
])
def test_a_crafted_order_is_refused_naming_the_field(order_id, field, fmt, value, message):
    snap = book().save_snapshot()
    with pytest.raises(ValueError, match=message):
        load(patched(snap, order_offset(snap, order_id) + FIELD[field], fmt, value))


def test_crafted_reg_nms_state_is_refused_naming_the_field():
    snap = book().save_snapshot()
    window = snap.index(struct.pack("<q", 987_654_321))
    with pytest.raises(ValueError, match=r"table\.flicker_window: outside 1 ns\.\.1 s"):
        load(patched(snap, window, "<q", -(2**63)))
    fees = snap.index(struct.pack("<q", 1_234_567))  # config's five bytes come just before the fees
    with pytest.raises(ValueError, match=r"config\.rule611_enabled: a flag that is neither 0 nor 1"):
        load(patched(snap, fees - 5, "<B", 4))
    with pytest.raises(ValueError, match=r"config\.default_lock_cross: not SLIDE"):
        load(patched(snap, fees - 1, "<B", 0))
    with pytest.raises(ValueError, match=r"fees: a fee outside the Rule 610\(c\) cap"):
        load(patched(snap, fees, "<q", -10**17))
    count = struct.unpack_from("<Q", snap, ORDERS - 8)[0]
    venue_count = ORDERS + count * ORDER + 1  # after the orders and the reg_nms flag
    with pytest.raises(ValueError, match=r"venue_count: more than 32 venues"):
        load(patched(snap, venue_count, "<B", 200))
    with pytest.raises(ValueError, match=r"venues\[1\]\.name: the same venue name twice"):
        load(patched(snap, venue_count + 4, "<B", ord("X")))  # "Y" (length byte, then the name) becomes "X"


def test_damage_version_and_old_formats_are_named():
    snap = book().save_snapshot()
    with pytest.raises(ValueError, match="the checksum does not match"):
        load(snap[:100] + bytes([snap[100] ^ 1]) + snap[101:])
    with pytest.raises(ValueError, match="the checksum does not match"):
        load(snap[:-9] + snap[-4:])
    with pytest.raises(ValueError, match="snapshot format 3, but this engine reads format 2"):
        load(patched(snap, 8, "<I", 3))
    with pytest.raises(ValueError, match="format 1, from an older engine"):
        load(b"ENGRSNP1" + bytes(40))
    with pytest.raises(ValueError, match="bytes after the end"):
        load(resealed(snap[:-4] + b"\x00" + snap[-4:]))
    with pytest.raises(ValueError, match=r"venues=\('X', 'Y'\), but the snapshot's venues are \('X', 'Y', 'Z'\)"):
        load_snapshot(snap, "S", venues=["X", "Y"])


def test_a_snapshot_names_its_venues():
    """Issue 10: the venue names travel with the snapshot, so a restore need not be told them."""
    b = load_snapshot(book().save_snapshot())
    assert b.venues == ("X", "Y", "Z") and b.quote("Y").ask_price == 100_800


MUTATION = """
import random, struct, sys, zlib
from support.snapshot_sample import book, load
from engine import Side, TimeInForce
snap = book().save_snapshot()
rng = random.Random(5)
refused = loaded = 0
for pos in range(len(snap) - 4):
    for flip in (0xFF, 1 << rng.randrange(8)):
        data = bytearray(snap)
        data[pos] ^= flip
        raw = bytes(data)
        try:
            load(raw)  # the checksum catches every flip
            raise SystemExit(f"byte {{pos}}: damage not caught by the checksum")
        except ValueError:
            pass
        sealed = raw[:-4] + struct.pack("<I", zlib.crc32(raw[:-4]))
        try:
            b = load(sealed)
        except ValueError:
            refused += 1
            continue
        loaded += 1
        assert b.check_integrity() is None, pos
        t = (b.last_timestamp or 0) + 1
        for k in range(40):  # a bounded burst of orders, queries and quotes: must finish and stay sound
            side = Side.BUY if rng.random() < 0.5 else Side.SELL
            b.submit(10_000 + k, side, rng.choice([100_100, 100_500, 100_900, 101_000]), rng.choice([1, 300, 10**9]),
                     tif=rng.choice([TimeInForce.DAY, TimeInForce.IOC]), ts=t + k)
            b.check_print(100_500, ts=t + k)
            b.update_quote(rng.randrange(3), 100_400, 100, 100_600, 100, ts=t + k)
            b.take_events()
        assert b.check_integrity() is None, pos
print(refused, loaded)
"""


def test_every_flipped_byte_is_refused_or_loads_a_sound_book(tmp_path):
    """The snapshot-mutation net: flip each byte (all bits, then one bit). The
    checksum refuses each as it is; resealed, each is either refused or loads a
    book that passes integrity and takes a burst of operations without hanging
    (a child process, so a hang fails the test instead of stalling it)."""
    script = MUTATION.format()
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, env=child_env(),
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:] + out.stdout[-3000:]
    refused, loaded = map(int, out.stdout.split())
    assert refused > 0 and loaded > 0
