"""Opening replay files and telling their format: plain, gzip or zip; LOBSTER
message and orderbook files, or Nasdaq TotalView-ITCH 5.0."""
from __future__ import annotations

import gzip
import re
import zipfile
from pathlib import Path
from typing import BinaryIO, Optional


class ReplayError(ValueError):
    """A file that cannot be replayed: names the file, where, and what."""


def open_stream(path: str | Path) -> BinaryIO:
    """Open a plain, gzip (``.gz``) or zip (``.zip``, first member) file for reading bytes."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file")
    if p.suffix == ".gz":
        return gzip.open(p, "rb")  # type: ignore[return-value]
    if p.suffix == ".zip":
        zf = zipfile.ZipFile(p)
        names = [n for n in zf.namelist() if not n.endswith("/")]
        if not names:
            raise ReplayError(f"{p}: the zip archive holds no file")
        return zf.open(names[0])  # type: ignore[return-value]
    return open(p, "rb")


def file_format(path: str | Path) -> str:
    """``"lobster"`` or ``"itch"``, from the name, else from the first bytes."""
    name = Path(path).name.lower()
    for suffix in (".gz", ".zip"):
        name = name.removesuffix(suffix)
    if name.endswith(".csv"):
        return "lobster"
    if name.endswith(".itch") or "itch" in name:
        return "itch"
    with open_stream(path) as f:
        head = f.read(64)
    return "lobster" if head[:1].isdigit() or head[:4] == b"Time" else "itch"


def lobster_levels(path: str | Path) -> Optional[int]:
    """The level count in a LOBSTER file name (``..._orderbook_10.csv`` -> 10)."""
    m = re.search(r"_(?:orderbook|message)_(\d+)\.csv", Path(path).name)
    return int(m.group(1)) if m else None


def lobster_orderbook_for(message_path: str | Path) -> Optional[Path]:
    """The orderbook file that LOBSTER names beside a message file, if it exists."""
    p = Path(message_path)
    candidate = p.with_name(p.name.replace("_message_", "_orderbook_"))
    return candidate if candidate != p and candidate.exists() else None


def progress_total(path: str | Path) -> Optional[int]:
    """The progress total: the file's size, or None for a compressed file (the
    bar counts decompressed bytes, whose total is unknown, so it shows MiB read)."""
    p = Path(path)
    return None if p.suffix in (".gz", ".zip") else p.stat().st_size


__all__ = ["ReplayError", "file_format", "lobster_levels", "lobster_orderbook_for", "open_stream", "progress_total"]
