"""An ITCH file split by stock group for parallel work: each stock's decoded
records (``FEED_DTYPE``, raw) go, with their message numbers in the file, to
the group file of its locate modulo the group count, in one pass. A worker
then reads only its group's file, so the folder must be on a path every
worker sees. Stock-less messages (system events) go with the first group, so
counts add up to a single-process run's."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from engine._core import ItchDecoder
from engine.replay.decode import iter_itch, take_records


@dataclass
class Split:
    """An ITCH file split by stock group: each group's records and message
    numbers, and the stock directory."""

    path: str
    folder: Path
    groups: list[tuple[Path, Path]]  # (records file, message numbers file)
    stocks: dict
    messages: int
    seconds: float


def split_itch(path: str | Path, folder: str | Path, groups: int, symbols: Optional[list[str]] = None) -> Split:
    """Split an ITCH file into ``groups`` files of whole stocks (see the module),
    in one pass: stock locate modulo ``groups`` (locates are dense, so the
    groups come out about equal in stocks; a day's busiest stocks spread by
    chance). With ``symbols``, only those stocks' messages are kept."""
    t0 = time.perf_counter()
    folder = Path(folder)
    groups = min(max(int(groups), 1), 65_535)  # a group number fits 16 bits (more groups than stocks gain nothing)
    decoder = ItchDecoder()
    files = [(folder / f"group{g:04d}.feed", folder / f"group{g:04d}.index") for g in range(groups)]
    handles = [(open(a, "wb"), open(b, "wb")) for a, b in files]
    keep = np.ones(65_536, dtype=bool)
    known = 0
    try:
        position = 0
        for batch in iter_itch(path, decoder):
            if symbols and decoder.stock_count != known:  # new directory entries: the filter grows
                known = decoder.stock_count
                keep[:] = False
                keep[0] = True  # system events
                for loc, (sym, _, _) in decoder.stocks().items():
                    keep[loc] = sym in symbols
            numbers = np.arange(position, position + len(batch), dtype=np.int64)
            position += len(batch)
            locates = batch["locate"]
            # `groups`: dropped; 16-bit keys, so the stable sort is numpy's radix sort (15x a 64-bit one)
            group = np.where(keep[locates], locates % groups, groups).astype(np.uint16)
            order = np.argsort(group, kind="stable")  # one gather, not a boolean mask a group
            bounds = np.searchsorted(group[order], np.arange(groups + 1)).tolist()
            grouped, numbered = take_records(batch, order), numbers[order]
            for k, (records, index) in enumerate(handles):
                a, b = bounds[k], bounds[k + 1]
                if b > a:
                    records.write(grouped[a:b].tobytes())
                    index.write(numbered[a:b].tobytes())
    finally:
        for a, b in handles:
            a.close()
            b.close()
    return Split(str(path), folder, files, decoder.stocks(), int(position), time.perf_counter() - t0)


__all__ = ["Split", "split_itch"]
