"""A progress bar over the bytes a replay reads: tqdm when it is installed (the
``replay`` extra), else a plain line on stderr."""
from __future__ import annotations

import sys
import time
from typing import Any, Optional

try:  # an optional extra: pip install regnms-engine[replay]
    from tqdm import tqdm as _tqdm
except ImportError:  # pragma: no cover - depends on what is installed
    _tqdm = None


class Progress:
    """A progress bar over bytes (or another ``unit``): tqdm when installed, else a plain line on stderr."""

    def __init__(self, total: Optional[int], label: str, enabled: bool, unit: str = "B") -> None:
        self.enabled = enabled
        self.total = total
        self.label = label
        self.done = 0
        self._bar: Any = None
        self._last = 0.0
        if enabled and _tqdm is not None:
            self._bar = _tqdm(total=total, unit=unit, unit_scale=unit == "B", desc=label, file=sys.stderr)

    def update(self, n: int) -> None:
        if not self.enabled:
            return
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last > 0.5:
            self._last = now
            pct = f"{100 * self.done / self.total:5.1f}%" if self.total else f"{self.done >> 20} MiB"
            print(f"\r{self.label}: {pct}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            print(f"\r{self.label}: done{' ' * 12}", file=sys.stderr)


__all__ = ["Progress"]
