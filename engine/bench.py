"""``python -m engine bench``: latency percentiles measured inside the core.

A realistic mixed flow (``engine.flow.generate_mixed``: new orders near the
touch, cancels, replaces, marketable orders, and quote updates from away
venues) runs through a ``ProtectedBook`` one operation at a time; each call is
timed with a steady clock in C++, and the samples are summarised by kind of
operation. Defaults: 200,000 operations, 20% of them quote updates from 4
venues, the ``ten_dollars`` profile, seed 1.
"""
from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from typing import Optional

import numpy as np

import engine
from engine._core import MAX_VENUES, Book, ProtectedBook, clock_overhead_ns, measure_latency
from engine.flow import PROFILES, generate_mixed

#: engine::LatencyOp values, in order
OPERATIONS = ["resting", "marketable", "rejected", "cancel", "replace", "reduce", "quote", "other"]
PERCENTILES = (50, 90, 99, 99.9)


@dataclass
class OpStats:
    count: int
    p50: float
    p90: float
    p99: float
    p99_9: float
    max: int
    mean: float


@dataclass
class BenchResult:
    operations: int
    seconds: float
    per_operation: dict[str, OpStats]
    clock_overhead_ns: int
    config: dict
    machine: dict = field(default_factory=dict)
    samples: Optional[tuple[np.ndarray, np.ndarray]] = None

    @property
    def throughput(self) -> float:
        return self.operations / self.seconds if self.seconds else float("inf")

    def to_json(self) -> str:
        d = asdict(self)
        d.pop("samples")
        d["throughput_per_second"] = round(self.throughput)
        return json.dumps(d, indent=2)

    def table(self) -> str:
        lines = [f"{'operation':<12}{'count':>10}{'p50':>9}{'p90':>9}{'p99':>9}{'p99.9':>9}{'max':>11}   (ns)"]
        for name, s in self.per_operation.items():
            lines.append(f"{name:<12}{s.count:>10,}{s.p50:>9.0f}{s.p90:>9.0f}{s.p99:>9.0f}{s.p99_9:>9.0f}{s.max:>11,}")
        return "\n".join(lines)

    def report(self) -> str:
        m, c = self.machine, self.config
        return "\n".join([
            f"engine {m['engine']} on {m['cpu']} ({m['cores']} cores), {m['system']}, Python {m['python']}",
            f"{self.operations:,} operations ({c['profile']} flow, {c['quote_share']:.0%} quote updates from"
            f" {c['venues']} venues, seed {c['seed']}, trade-through check {'on' if c['check'] else 'off'})"
            f" in {self.seconds * 1e3:.1f} ms: {self.throughput / 1e6:.2f} M operations/s, one at a time",
            f"each time includes reading the clock twice (~{self.clock_overhead_ns} ns)",
            self.table(),
        ])


def machine_info() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"engine": engine.__version__, "cpu": cpu, "cores": os.cpu_count(), "system": platform.platform(),
            "python": platform.python_version(), "date": time.strftime("%Y-%m-%d")}


def run_bench(operations: int = 200_000, seed: int = 1, profile: str = "ten_dollars", quote_share: float = 0.2,
              venues: int = 4, check: bool = True, keep_samples: bool = False) -> BenchResult:
    """Generate the mixed flow, time every operation, summarise by kind."""
    if operations < 1:
        raise ValueError(f"operations={operations} must be at least 1")
    if profile not in PROFILES:
        raise ValueError(f"profile={profile!r} is not one of {sorted(PROFILES)}")
    if not 1 <= venues <= MAX_VENUES:
        raise ValueError(f"venues={venues} must be in 1..{MAX_VENUES}")
    commands, quotes, schedule = generate_mixed(operations, seed, profile, quote_share, venues)
    regime = PROFILES[profile].tick_regime
    book: Book
    if check:
        book = ProtectedBook("BENCH", tick_regime=regime, venues=[f"V{i}" for i in range(venues)])
    else:
        book = Book("BENCH", tick_regime=regime)
        keep = schedule >= 0
        schedule = np.ascontiguousarray(schedule[keep])
        quotes = quotes[:0]
    book.reserve(1 << 17)
    t0 = time.perf_counter()
    ns, kind = measure_latency(book, commands, quotes, schedule)
    seconds = time.perf_counter() - t0
    per_op = {}
    for code, name in enumerate(OPERATIONS):
        x = ns[kind == code]
        if not len(x):
            continue
        p50, p90, p99, p999 = (float(v) for v in np.percentile(x, PERCENTILES))
        per_op[name] = OpStats(int(len(x)), p50, p90, p99, p999, int(x.max()), float(x.mean()))
    config = {"operations": len(schedule), "seed": seed, "profile": profile, "quote_share": quote_share,
              "venues": venues, "check": check}
    return BenchResult(len(schedule), seconds, per_op, int(clock_overhead_ns()), config, machine_info(),
                       (ns, kind) if keep_samples else None)


def plot(result: BenchResult, path: str) -> None:
    """The latency distribution per operation (needs matplotlib: pip install matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("--plot needs matplotlib: pip install matplotlib (or pip install -e '.[plot]')") from None
    if result.samples is None:
        raise ValueError("run_bench(keep_samples=True) keeps the samples a plot needs")
    ns, kind = result.samples
    fig, ax = plt.subplots(figsize=(9, 5))
    for code, name in enumerate(OPERATIONS):
        x = np.sort(ns[kind == code])
        if len(x) < 10:
            continue
        tail = 1.0 - np.arange(1, len(x) + 1) / len(x)
        ax.loglog(np.maximum(x, 1), np.maximum(tail, 1 / len(x) / 10), label=f"{name} ({len(x):,})")
    ax.set_xlabel("latency per operation, ns (log)")
    ax.set_ylabel("fraction of operations slower (log)")
    ax.set_title(f"engine {result.machine['engine']}: {result.operations:,} operations, {result.machine['date']}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


__all__ = ["BenchResult", "OPERATIONS", "OpStats", "machine_info", "plot", "run_bench"]
