"""Decoding and book building on two threads: one thread reads and decodes the
file into record arrays while the other applies the arrays already decoded.
Both run in C++ without the GIL, so on two cores a replay takes about as long
as the slower of the two instead of their sum. Batches are applied in file
order, so the result is exactly the single-threaded one."""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, Optional

import numpy as np

from engine.dtypes import FEED_DTYPE
from engine.replay.decode import BUFFER_RECORDS, Buffers

DEPTH = 4  # record arrays in flight: decoded, queued, being applied


class _Stopped(Exception):
    """The consumer has stopped: the producer gives up."""


class _FreeArrays:
    """The record arrays not in use, shared by the two threads (a Buffers)."""

    def __init__(self, depth: int, stop: threading.Event) -> None:
        self._free: queue.Queue[np.ndarray] = queue.Queue()
        for _ in range(depth):
            self._free.put(np.empty(BUFFER_RECORDS, dtype=FEED_DTYPE))
        self._stop = stop

    def take(self) -> np.ndarray:
        while True:
            if self._stop.is_set():
                raise _Stopped
            try:
                return self._free.get(timeout=0.05)
            except queue.Empty:
                continue

    def unused(self, array: np.ndarray) -> None:
        self._free.put(array)


_DONE = object()


def pipelined(produce: Callable[[Buffers], Iterator[np.ndarray]],
              consume: Callable[[np.ndarray, Any], None],
              after_batch: Optional[Callable[[], Any]] = None, depth: int = DEPTH) -> None:
    """Run ``produce(buffers)`` (a batch iterator decoding into the arrays it is
    lent) on a second thread and ``consume(batch, info)`` on this one, in order.
    ``after_batch()`` runs on the producing thread after each batch and its
    result travels with it as ``info`` (what only the decoder's thread may
    read). An error on either side stops both and is raised here."""
    stop = threading.Event()
    free = _FreeArrays(depth, stop)
    full: queue.Queue[Any] = queue.Queue()

    def run() -> None:
        try:
            for batch in produce(free):
                full.put((batch, after_batch() if after_batch is not None else None))
            full.put(_DONE)
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the consuming thread, which raises it
            full.put(exc)

    worker = threading.Thread(target=run, name="engine-replay-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = full.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            batch, info = item
            consume(batch, info)
            free.unused(batch.base)
    finally:
        stop.set()
        worker.join()


__all__ = ["DEPTH", "pipelined"]
