"""C++ pieces the benchmark suite builds itself (a compiler is needed; the
benchmarks that use them are skipped without one): the flat-array floor for
book building (floor.cpp) and the engine driven one message at a time from C++
(per_message.cpp), loaded with ctypes; and the Book bound with pybind11
(pybind_book.cpp), to compare the cost of a call with the product's Cython
binding. Nothing here is part of the product."""
from __future__ import annotations

import ctypes
import hashlib
import shutil
import importlib.util
import subprocess
import sysconfig
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CSRC = HERE.parent.parent / "csrc"
SOURCES = [HERE / "floor.cpp", HERE / "per_message.cpp"]
CXX = shutil.which("g++") or shutil.which("clang++")


def load() -> ctypes.CDLL:
    """Build (once per source version) and load the library."""
    if CXX is None:
        raise RuntimeError("no C++ compiler")
    inputs = SOURCES + sorted(CSRC.rglob("*.hpp"))  # the engine's headers too: per_message.cpp includes them
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in inputs)).hexdigest()[:12]
    lib = Path(tempfile.gettempdir()) / f"engine-bench-native-{digest}.so"
    if not lib.exists():
        tmp = lib.with_suffix(".tmp.so")
        subprocess.run([CXX, "-std=c++20", "-O3", "-march=native", "-shared", "-fPIC", "-I", str(CSRC),
                        *map(str, SOURCES), "-o", str(tmp)], check=True, capture_output=True, text=True)
        tmp.replace(lib)
    dll = ctypes.CDLL(str(lib))
    for name in ("floor_levels", "floor_orders"):
        fn = getattr(dll, name)
        fn.restype = ctypes.c_int64
        fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_int64, ctypes.c_int64,
                       ctypes.c_size_t]
    dll.engine_per_message.restype = ctypes.c_double
    dll.engine_per_message.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_size_t]
    return dll


def load_pybind():
    """Build (once per source version) and import the pybind11-bound Book; None
    when pybind11 is not installed."""
    try:
        import pybind11
    except ImportError:
        return None
    if CXX is None:
        raise RuntimeError("no C++ compiler")
    source = HERE / "pybind_book.cpp"
    inputs = [source] + sorted(CSRC.rglob("*.hpp"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in inputs)).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"engine-bench-pybind-{digest}"
    lib = folder / ("engine_pybind_book" + sysconfig.get_config_var("EXT_SUFFIX"))
    if not lib.exists():
        folder.mkdir(exist_ok=True)
        tmp = lib.with_name("building-" + lib.name)
        subprocess.run([CXX, "-std=c++20", "-O3", "-shared", "-fPIC", "-fvisibility=hidden",
                        "-I", str(CSRC), "-I", pybind11.get_include(), "-I", sysconfig.get_paths()["include"],
                        str(source), "-o", str(tmp)], check=True, capture_output=True, text=True)
        tmp.replace(lib)
    spec = importlib.util.spec_from_file_location("engine_pybind_book", lib)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Floor:
    """Feed records renumbered for the floor (dense ids, price ticks), ready to apply."""

    def __init__(self, records: np.ndarray) -> None:
        ids = np.concatenate([records["order_id"], records["new_order_id"]])
        uniq, inverse = np.unique(ids, return_inverse=True)
        self.records = records.copy()
        self.records["order_id"] = inverse[: len(records)]
        self.records["new_order_id"] = inverse[len(records):]
        priced = records["price"][records["price"] > 0]
        self.min_price = int(priced.min())
        self.tick = int(np.gcd.reduce(priced - self.min_price)) or 1
        self.n_ticks = int((priced.max() - self.min_price) // self.tick) + 1
        self.n_ids = len(uniq)
        self.lib = load()

    def apply(self, kind: str = "orders") -> int:
        """Apply every record: kind "orders" (queues, totals, best prices) or "levels" (totals only)."""
        r = self.records
        fn = self.lib.floor_orders if kind == "orders" else self.lib.floor_levels
        return fn(r.ctypes.data, len(r), self.n_ids, self.min_price, self.tick, self.n_ticks)
