"""Databento DBN files of MBO records (``.dbn``, or ``.dbn.zst``), as
``FEED_DTYPE`` records for book building.

The metadata header is read with the ``databento-dbn`` package (the ``dbn``
extra); the records, fixed-size little-endian structs, are read in chunks
straight into numpy (no Python object per record) and mapped to feed records:

* add ``A``, cancel ``C`` (the shares cancelled), modify ``M`` (the order's new
  price and size), clear ``R`` (the book emptied), trade ``T`` and fill ``F``
  (counted; the book changes by the records that follow), none ``N``;
* instrument ids become books (locates, in order of first appearance), named
  by the metadata's symbol mappings when it has them;
* prices in units of 1e-9 dollars become $0.0001 units; an add or modify whose
  price does not convert exactly is refused (ReplayError with the record);
* times are ``ts_recv`` (ns since the Unix epoch: the order the book changed
  at the receiver); the record's ``flags`` go in ``code``, so ``code & 128``
  (``F_LAST``) marks the last record of an event, where the book is whole.

Records of other types (a live file's system or symbol mapping records) are
skipped and counted.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Optional

import numpy as np

from engine.dtypes import FEED_DTYPE
from engine.enums import FeedKind, Side
from engine.replay.decode import Buffers, OneBuffer, decode_stream
from engine.replay.files import READ_ERRORS, ReplayError, open_stream, read_error
from engine.replay.progress import Progress

MBO_RTYPE = 0xA0
F_LAST = 1 << 7
PRICE_SCALE = 100_000  # 1e-9 dollars per $0.0001
UNDEF_PRICE = (1 << 63) - 1

# One MBO record (DBN versions 1 to 3 share it); ts_out files append 8 bytes.
MBO_DTYPE = np.dtype([
    ("length", "u1"), ("rtype", "u1"), ("publisher_id", "<u2"), ("instrument_id", "<u4"), ("ts_event", "<u8"),
    ("order_id", "<u8"), ("price", "<i8"), ("size", "<u4"), ("flags", "u1"), ("channel_id", "u1"),
    ("action", "u1"), ("side", "u1"), ("ts_recv", "<u8"), ("ts_in_delta", "<i4"), ("sequence", "<u4"),
])
assert MBO_DTYPE.itemsize == 56

_KIND = np.full(256, 255, dtype=np.uint8)  # action byte -> FeedKind; 255: not an MBO action
for _action, _kind in {"A": FeedKind.ADD, "C": FeedKind.CANCEL, "M": FeedKind.MODIFY, "R": FeedKind.CLEAR,
                       "T": FeedKind.TRADE, "F": FeedKind.FILL, "N": FeedKind.NONE}.items():
    _KIND[ord(_action)] = int(_kind)
_SIDE = np.zeros(256, dtype=np.uint8)
_SIDE[ord("B")], _SIDE[ord("A")] = int(Side.BUY), int(Side.SELL)
_PRICED = np.array([int(FeedKind.ADD), int(FeedKind.MODIFY)], dtype=np.uint8)


def _metadata_module():
    try:
        import databento_dbn
    except ImportError:
        raise ReplayError("reading DBN files needs databento-dbn (pip install databento-dbn, or the dbn extra)") \
            from None
    return databento_dbn


class DbnReader:
    """One DBN file: its metadata, then its MBO records as feed records.
    ``stocks`` maps each locate handed out to ``(symbol, "", 0)``."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.stocks: dict[int, tuple[str, str, int]] = {}
        self.skipped = 0  # records of other types
        self.records = 0  # MBO records read
        self._locate_of: dict[int, int] = {}
        self._symbols: dict[int, str] = {}
        self._record_size = 0

    def read_metadata(self, stream: BinaryIO) -> None:
        try:
            prefix = stream.read(8)
            if len(prefix) < 8 or prefix[:3] != b"DBN":
                raise ReplayError(f"{self.path}: not a DBN file (it does not start with 'DBN')")
            version, length = prefix[3], struct.unpack("<I", prefix[4:8])[0]
            body = stream.read(length)
        except READ_ERRORS as exc:
            raise read_error(self.path, 0, exc) from None
        if len(body) < length:
            raise ReplayError(f"{self.path}: the file ends inside its metadata (truncated)")
        if not 1 <= version <= 3:
            raise ReplayError(f"{self.path}: DBN version {version}: versions 1 to 3 are read")
        dbn = _metadata_module()
        try:
            meta = dbn.Metadata.decode(prefix + body)
        except Exception as exc:  # the package raises its own error types
            raise ReplayError(f"{self.path}: unreadable DBN metadata ({exc})") from None
        if str(meta.schema) != "mbo":
            raise ReplayError(f"{self.path}: schema {meta.schema}: only MBO (market by order) builds books")
        self._record_size = MBO_DTYPE.itemsize + (8 if meta.ts_out else 0)
        if str(meta.stype_out) == "instrument_id":
            for raw, intervals in (meta.mappings or {}).items():
                for interval in intervals:
                    if str(interval["symbol"]).isdigit():
                        self._symbols.setdefault(int(interval["symbol"]), raw)

    def decode(self, view: memoryview, final: bool, out: Optional[np.ndarray]) -> tuple[np.ndarray, int]:
        """Whole records of ``view`` into ``out`` (a FEED_DTYPE array); returns
        (the records written, bytes consumed)."""
        out = out if out is not None else np.empty(len(view) // 56 + 1, dtype=FEED_DTYPE)
        raw = np.frombuffer(view, dtype=np.uint8)
        size = self._record_size
        pos = produced = 0
        while pos + 2 <= len(raw) and produced < len(out):
            length, rtype = int(raw[pos]) * 4, int(raw[pos + 1])
            if length < 16:
                raise ValueError(f"byte {pos}: a record of length {length}: not DBN records")
            if rtype != MBO_RTYPE:  # another record type: skip it whole
                if pos + length > len(raw):
                    break
                self.skipped += 1
                pos += length
                continue
            if length != size:
                raise ValueError(f"byte {pos}: an MBO record of {length} bytes; {size} expected")
            n = min((len(raw) - pos) // size, len(out) - produced)
            if n == 0:
                break
            rows = raw[pos:pos + n * size].reshape(n, size)
            uniform = (rows[:, 0] == size // 4) & (rows[:, 1] == MBO_RTYPE)
            if not uniform.all():
                n = int(np.argmin(uniform))
            recs = np.ndarray((n,), dtype=MBO_DTYPE, buffer=view, offset=pos, strides=(size,))
            self._convert(recs, out[produced:produced + n], pos)
            produced += n
            pos += n * size
        if final and produced < len(out) and pos < len(raw):
            raise ValueError(f"byte {pos}: the file ends inside a record (truncated)")
        return out[:produced], pos

    def _convert(self, recs: np.ndarray, dst: np.ndarray, pos: int) -> None:
        kind = _KIND[recs["action"]]
        if (kind == 255).any():
            k = int(np.argmax(kind == 255))
            raise ValueError(f"record {self.records + k}: action {bytes([recs['action'][k]])!r} is not an MBO action")
        price = recs["price"]
        priced = np.isin(kind, _PRICED)
        inexact = priced & (price % PRICE_SCALE != 0)
        if inexact.any():
            k = int(np.argmax(inexact))
            raise ValueError(f"record {self.records + k}: price {int(price[k])} (units of 1e-9 $) is not a whole "
                             f"number of $0.0001")
        dst["ts"] = recs["ts_recv"].astype(np.int64)
        dst["order_id"] = recs["order_id"]
        dst["new_order_id"] = 0
        dst["price"] = np.where(price == UNDEF_PRICE, 0, price // PRICE_SCALE)
        dst["quantity"] = recs["size"]
        dst["locate"] = self._locates(recs["instrument_id"])
        dst["kind"] = kind
        dst["side"] = _SIDE[recs["side"]]
        dst["code"] = recs["flags"]
        self.records += len(recs)

    def _locates(self, instruments: np.ndarray) -> np.ndarray:
        ids, inverse = np.unique(instruments, return_inverse=True)
        table = np.empty(len(ids), dtype=np.uint16)
        for j, instrument in enumerate(ids.tolist()):
            loc = self._locate_of.get(instrument)
            if loc is None:
                if len(self._locate_of) == 65_536:
                    raise ValueError(f"more than 65,536 instruments (instrument {instrument})")
                loc = self._locate_of[instrument] = len(self._locate_of)
                self.stocks[loc] = (self._symbols.get(instrument, str(instrument)), "", 0)
            table[j] = loc
        return table[inverse]


def iter_dbn(path: str | Path, reader: Optional[DbnReader] = None, progress: Optional[Progress] = None,
             buffers: Optional[Buffers] = None) -> Iterator[np.ndarray]:
    """A DBN file's MBO records as ``FEED_DTYPE`` batches (as :func:`engine.replay.iter_itch`)."""
    reader = reader or DbnReader(path)
    with open_stream(path) as f:
        reader.read_metadata(f)
        yield from decode_stream(f, reader.decode, path, "", progress, buffers or OneBuffer())


__all__ = ["DbnReader", "F_LAST", "MBO_DTYPE", "iter_dbn"]
