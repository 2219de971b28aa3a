"""The C++ core builds and runs without Python (a venue prototype in C++ uses it directly)."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CXX = shutil.which("g++") or shutil.which("clang++")


@pytest.mark.skipif(CXX is None, reason="no C++ compiler on this machine")
def test_headers_compile_and_run_without_python(tmp_path):
    exe = tmp_path / "hello_book"
    subprocess.run([CXX, "-std=c++20", "-O2", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
                    "-I", str(ROOT / "csrc"), str(ROOT / "csrc/examples/hello_book.cpp"), "-o", str(exe)],
                   check=True, capture_output=True, text=True, timeout=300)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True, timeout=60).stdout
    assert "seq=3 type=3 order=2 contra=1 price=100500 qty=100 leaves=0" in out
    assert "best ask: 100500 x 200 (shown)" in out


def test_core_headers_do_not_include_python():
    for header in (ROOT / "csrc/engine").glob("*.hpp"):
        text = header.read_text()
        assert "Python.h" not in text and "pybind11" not in text, header.name
