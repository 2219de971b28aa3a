#!/usr/bin/env bash
# Coverage-guided fuzzing of the core with libFuzzer (needs clang; Debian:
# apt-get install clang-14 libclang-rt-14-dev). Every operation is checked:
# book integrity, per-order share accounting from the events, and no committed
# fill trading through the protected quotes (csrc/fuzz/random_ops.hpp).
#   csrc/fuzz/run_fuzz.sh [SECONDS]      default 60; CI runs 60, run hours locally
# New inputs go to a scratch corpus seeded from csrc/fuzz/corpus; a finding is
# written as crash-* / leak-* in the current folder: add it to csrc/fuzz/corpus so
# every later run (and tests/test_cpp_sanitizers.py) replays it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-60}"
cxx="$(command -v clang++-14 || command -v clang++ || true)"
if [ -z "$cxx" ]; then
    echo "run_fuzz: clang++ not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
    exit 3
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# a price ladder whose near window holds 4 levels, so its far treap (and the
# moves between the two) are exercised by the few orders a fuzz input makes
"$cxx" -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -DENGINE_LADDER_NEAR_MAX=4 -I "$root/csrc" "$here/fuzz_target.cpp" -o "$work/fuzz_book"
mkdir -p "$work/corpus"
cp "$here"/corpus/* "$work/corpus/"
set +e
"$work/fuzz_book" "$work/corpus" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix=./fuzz- > "$work/log" 2>&1
status=$?
set -e
grep -E "^(stat::|Done)" "$work/log" || true
if [ "$status" -ne 0 ]; then
    tail -60 "$work/log" >&2
    echo "run_fuzz: the fuzzer found a problem (exit $status); its input is in ./fuzz-*" >&2
fi
exit "$status"
