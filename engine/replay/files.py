"""Opening replay files and telling their format: plain, gzip, xz, bzip2 or
zip; LOBSTER message and orderbook files, or Nasdaq TotalView-ITCH 5.0."""
from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Optional


class ReplayError(ValueError):
    """A file that cannot be replayed: names the file, where, and what."""


def _zstd_open(path: Path, mode: str) -> BinaryIO:
    try:
        import zstandard
    except ImportError:
        raise ReplayError(f"{path}: reading .zst needs zstandard (pip install zstandard, or the dbn extra)") from None
    return zstandard.open(path, mode)  # type: ignore[no-any-return]


# Compressed formats by suffix: the opener, and the bytes every such file starts with.
_COMPRESSED = {
    ".gz": (gzip.open, b"\x1f\x8b", "gzip"),
    ".xz": (lzma.open, b"\xfd7zXZ\x00", "xz"),
    ".bz2": (bz2.open, b"BZh", "bzip2"),
    ".zst": (_zstd_open, b"\x28\xb5\x2f\xfd", "zstd"),
}
COMPRESSED_SUFFIXES = (*_COMPRESSED, ".zip")

# What reading a corrupt or truncated compressed stream raises.
READ_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error, zipfile.BadZipFile)


def open_stream(path: str | Path) -> BinaryIO:
    """Open a plain, gzip (``.gz``), xz (``.xz``), bzip2 (``.bz2``), zstd (``.zst``) or zip
    (``.zip``, its only or first member) file for reading bytes. A file whose
    first bytes are not what its suffix claims is refused (ReplayError); so is
    a folder."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file")
    if p.is_dir():
        raise ReplayError(f"{p}: is a folder, not a file")
    try:
        with open(p, "rb") as f:
            head = f.read(6)
        if p.suffix in _COMPRESSED:
            opener, magic, name = _COMPRESSED[p.suffix]
            if not head.startswith(magic):
                raise ReplayError(f"{p}: not a {name} file (it is named {p.suffix} but does not start like one)")
            return opener(p, "rb")  # type: ignore[no-any-return]
        if p.suffix == ".zip":
            zf = zipfile.ZipFile(p)
            names = [n for n in zf.namelist() if not n.endswith("/")]
            if not names:
                raise ReplayError(f"{p}: the zip archive holds no file")
            return zf.open(names[0])  # type: ignore[return-value]
        return open(p, "rb")
    except zipfile.BadZipFile as exc:
        raise ReplayError(f"{p}: not a zip file ({exc})") from None
    except PermissionError as exc:
        raise ReplayError(f"{p}: cannot be read ({exc.strerror})") from None


def read_error(path: str | Path, offset: int, exc: BaseException) -> ReplayError:
    """The ReplayError for a stream that failed while being read (a corrupt or
    truncated compressed file, or an I/O error), with where it stopped."""
    return ReplayError(f"{path}: reading stopped after {offset:,} bytes: corrupt or truncated data "
                       f"({type(exc).__name__}: {exc})")


def file_format(path: str | Path) -> str:
    """``"lobster"``, ``"itch"`` or ``"dbn"``: from the name (``.csv``: LOBSTER;
    ``.dbn``: DBN; ``itch`` in it: ITCH), else from the first bytes. The
    decoders then check each record, so a file of another format fails on its
    first rows or frames."""
    name = Path(path).name.lower()
    for suffix in COMPRESSED_SUFFIXES:
        name = name.removesuffix(suffix)
    if name.endswith(".csv"):
        return "lobster"
    if name.endswith(".dbn"):
        return "dbn"
    if name.endswith(".itch") or "itch" in name:
        return "itch"
    with open_stream(path) as f:
        try:
            head = f.read(64)
        except READ_ERRORS as exc:
            raise read_error(path, 0, exc) from None
    head = head.removeprefix(b"\xef\xbb\xbf")
    if head[:3] == b"DBN":
        return "dbn"
    return "lobster" if head[:1].isdigit() or head[:4] == b"Time" else "itch"


def lobster_levels(path: str | Path) -> Optional[int]:
    """The level count in a LOBSTER file name (``..._orderbook_10.csv`` -> 10)."""
    m = re.search(r"_(?:orderbook|message)_(\d+)\.csv", Path(path).name)
    return int(m.group(1)) if m else None


_LOBSTER_NAME = re.compile(r"^(?P<symbol>[^_]+)_(?P<date>\d{4}-\d{2}-\d{2})_(?P<start>\d+)_(?P<end>\d+)_"
                           r"(?:message|orderbook)_(?P<levels>\d+)\.csv")


def check_lobster_pair(message_path: str | Path, orderbook_path: str | Path) -> None:
    """Refuse an orderbook file whose LOBSTER name says it belongs to another
    message file: another stock, day, time span or level count (names not in
    LOBSTER's form are not compared; the rows are checked as they are read)."""
    m = _LOBSTER_NAME.match(Path(message_path).name)
    b = _LOBSTER_NAME.match(Path(orderbook_path).name)
    if not m or not b:
        return
    what = {"symbol": "stock", "date": "day", "start": "start time", "end": "end time", "levels": "level count"}
    for key, name in what.items():
        if m[key] != b[key]:
            raise ReplayError(f"{orderbook_path}: its {name} ({b[key]}) is not the message file's ({m[key]}): "
                              f"not the orderbook of {Path(message_path).name}")


def lobster_symbol(path: str | Path) -> str:
    """The ticker in a LOBSTER file name (``AMZN_2012-06-21_..._message_10.csv`` -> ``AMZN``)."""
    return Path(path).name.split("_", 1)[0].split(".", 1)[0]


def lobster_date(path: str | Path) -> Optional[str]:
    """The day in a LOBSTER file name (``AMZN_2012-06-21_..._message_1.csv`` -> ``2012-06-21``)."""
    m = _LOBSTER_NAME.match(Path(path).name)
    return m["date"] if m else None


def lobster_orderbook_for(message_path: str | Path) -> Optional[Path]:
    """The orderbook file that LOBSTER names beside a message file, if it exists."""
    p = Path(message_path)
    candidate = p.with_name(p.name.replace("_message_", "_orderbook_"))
    return candidate if candidate != p and candidate.exists() else None


def progress_total(path: str | Path) -> Optional[int]:
    """The progress total: the file's size, or None for a compressed file (the
    bar counts decompressed bytes, whose total is unknown, so it shows MiB read)."""
    p = Path(path)
    return None if p.suffix in COMPRESSED_SUFFIXES else p.stat().st_size
#: the column a piece of a split CSV file carries each row's line in the original
#: file in, so a reader's errors name the line a user can find
SOURCE_LINE = "SOURCE_LINE"


def sniff_csv_header(path: str | Path) -> Optional[list[str]]:
    """A CSV file's first row, to choose a reader by; None when it cannot be
    read as text (the reader chosen then says what is wrong)."""
    try:
        with open_stream(path) as raw:
            return next(csv.reader(io.TextIOWrapper(raw, encoding="ascii", newline="")), None)
    except (ReplayError, OSError, EOFError, UnicodeDecodeError, csv.Error):
        return None


def frame_as_csv(frame: Any, name: str) -> io.StringIO:
    """A pandas DataFrame as CSV text, so a reader of files reads it with the
    same parser and checks (TypeError naming ``name`` for anything else)."""
    text = io.StringIO()
    try:
        frame.to_csv(text, index=False)
    except AttributeError:
        raise TypeError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}") from None
    text.seek(0)
    return text


__all__ = [
    "SOURCE_LINE", "frame_as_csv", "sniff_csv_header",
    "COMPRESSED_SUFFIXES", "READ_ERRORS", "ReplayError", "check_lobster_pair", "file_format", "lobster_date",
    "lobster_levels", "lobster_orderbook_for", "lobster_symbol", "open_stream", "progress_total", "read_error",
]
