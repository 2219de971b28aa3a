"""The C++ core under AddressSanitizer and UndefinedBehaviorSanitizer: random
operations of every kind (csrc/fuzz/random_ops.hpp), integrity checked after
each one. Any memory error, undefined behaviour or broken invariant aborts."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CXX = shutil.which("g++") or shutil.which("clang++")


def _sanitizers_work(tmp_path) -> bool:
    probe = tmp_path / "probe.cpp"
    probe.write_text("int main() { return 0; }\n")
    r = subprocess.run([CXX, "-fsanitize=address,undefined", str(probe), "-o", str(tmp_path / "probe")],
                       capture_output=True)
    return r.returncode == 0


@pytest.mark.skipif(CXX is None, reason="no C++ compiler on this machine")
@pytest.mark.parametrize("near_max", [256, 4], ids=["product_ladder", "tiny_near_window"])
def test_random_operations_under_asan_and_ubsan(tmp_path, near_max):
    """near_max 4: the price ladder keeps 4 levels in its sorted array, so the
    few orders of these programs push levels through its far treap all the time."""
    if not _sanitizers_work(tmp_path):
        pytest.skip("the compiler's sanitizer runtimes are not installed")
    exe = tmp_path / "sanitize"
    subprocess.run([CXX, "-std=c++20", "-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                    "-fno-omit-frame-pointer", f"-DENGINE_LADDER_NEAR_MAX={near_max}", "-I", str(ROOT / "csrc"),
                    str(ROOT / "csrc/fuzz/sanitize_main.cpp"), "-o", str(exe)],
                   check=True, capture_output=True, text=True, timeout=600)
    env = {**os.environ, "ASAN_OPTIONS": "detect_leaks=1", "UBSAN_OPTIONS": "halt_on_error=1"}
    env.pop("LD_PRELOAD", None)  # the driver links its own sanitizer runtimes
    # seed 7 found the off-grid ranking bug (test_req_tick_04_never_rank_at_an_off_grid_away_price)
    out = subprocess.run([str(exe), "7", "600", "4000"], capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr[-4000:]
    assert "integrity held" in out.stdout
    ops = int(out.stdout.split()[0])
    assert ops > 150_000
    # the fuzzer's seed corpus and any saved findings
    saved = sorted(str(p) for p in (ROOT / "csrc/fuzz/corpus").iterdir())
    out = subprocess.run([str(exe), "--replay", *saved], capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr[-4000:]
    assert f"in {len(saved)} files, integrity held" in out.stdout
