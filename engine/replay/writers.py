"""Writing engine events to CSV or Parquet (Parquet needs pyarrow, the
``replay`` extra)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from engine.dtypes import EVENT_DTYPE
from engine.replay.files import ReplayError

try:  # an optional extra: pip install regnms-engine[replay]
    import pyarrow as _pa
    import pyarrow.parquet as _pq
except ImportError:  # pragma: no cover - depends on what is installed
    _pa = _pq = None


class EventWriter:
    """Writes event arrays to CSV (``.csv``) or Parquet (``.parquet``, needs pyarrow)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.names = list(EVENT_DTYPE.names or ())
        self.rows = 0
        self._parquet: Any = None
        self._file: Any = None
        if self.path.suffix == ".parquet":
            if _pa is None:
                raise ReplayError(f"{self.path}: writing Parquet needs pyarrow (pip install pyarrow)")
        elif self.path.suffix == ".csv":
            self._file = open(self.path, "w")
            self._file.write(",".join(self.names) + "\n")
        else:
            raise ReplayError(f"{self.path}: events can be written as .csv or .parquet")

    def write(self, events: np.ndarray) -> None:
        if not len(events):
            return
        self.rows += len(events)
        if self._file is not None:
            cols = np.column_stack([events[n].astype(np.int64) for n in self.names])
            np.savetxt(self._file, cols, fmt="%d", delimiter=",")
            return
        table = _pa.table({n: events[n] for n in self.names})
        if self._parquet is None:
            self._parquet = _pq.ParquetWriter(str(self.path), table.schema)
        self._parquet.write_table(table)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        elif self._parquet is not None:
            self._parquet.close()


__all__ = ["EventWriter"]
