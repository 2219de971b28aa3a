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


PLAIN_BOOK_CALLS = r"""
#include <cstdio>
#include "engine/engine.hpp"
using namespace engine;
int main() {
    Book book;  // no Reg NMS layer
    TradeThroughDecision d;
    d.code = ComplianceCode::Mixed;
    const bool answered = book.check_print(100500, 1, Side::Buy, 0, &d);
    ProtectedBbo bbo;
    const char* configured = book.configure(ConfigChange{});
    const char* fees = book.set_fee_schedule(FeeSchedule{}, FeeCapRegime::Cap2005);
    std::printf("%d %d %s %s %d\n", answered, static_cast<int>(d.code), configured, fees,
                book.protected_bbo(1, &bbo));
    return 0;
}
"""


@pytest.mark.skipif(CXX is None, reason="no C++ compiler on this machine")
def test_reg_nms_calls_on_a_plain_book_are_refused_in_cpp(tmp_path):
    """Issue 9, item 18: check_print on a book without the Reg NMS layer read a null
    pointer. Every Reg NMS call on a plain C++ Book answers 'no' instead."""
    src, exe = tmp_path / "plain.cpp", tmp_path / "plain"
    src.write_text(PLAIN_BOOK_CALLS)
    subprocess.run([CXX, "-std=c++20", "-O1", "-Wall", "-Werror", "-I", str(ROOT / "csrc"), str(src), "-o", str(exe)],
                   check=True, capture_output=True, text=True, timeout=300)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True, timeout=60).stdout
    assert out.split() == ["0", str(16), "reg_nms", "reg_nms", "0"]  # untouched decision: still Mixed (16)
