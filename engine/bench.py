"""``python -m engine bench``: latency percentiles measured inside the core.

A realistic mixed flow (``engine.flow.generate_mixed``: new orders near the
touch, cancels, replaces, marketable orders, and quote updates from away
venues) runs through a ``ProtectedBook`` one operation at a time, timed with a
steady clock in C++. Defaults: 200,000 operations, 20% of them quote updates
from 4 venues, the ``ten_dollars`` profile, seed 1. Two ways:

* closed loop (:func:`run_bench`): each call timed on its own, summarised by
  kind of operation;
* open loop (:func:`run_open_loop`): operations offered at fixed rates (say
  0.5, 1 and 2 million a second), each one's latency counted from the time it
  was offered, so time spent queued behind a slow one counts (no coordinated
  omission): what a caller feeding the engine at that rate sees.
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
from engine._core import MAX_VENUES, Book, ProtectedBook, clock_overhead_ns, measure_latency, measure_open_loop
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


@dataclass
class _Workload:
    commands: np.ndarray
    quotes: np.ndarray
    schedule: np.ndarray
    profile: str
    venues: int
    check: bool

    def book(self) -> Book:
        """A fresh book for the workload, pre-sized so no call allocates."""
        regime = PROFILES[self.profile].tick_regime
        book: Book = (ProtectedBook("BENCH", tick_regime=regime, venues=[f"V{i}" for i in range(self.venues)])
                      if self.check else Book("BENCH", tick_regime=regime))
        book.reserve(1 << 17)
        return book


def _workload(operations: int, seed: int, profile: str, quote_share: float, venues: int, check: bool) -> _Workload:
    if operations < 1:
        raise ValueError(f"operations={operations} must be at least 1")
    if profile not in PROFILES:
        raise ValueError(f"profile={profile!r} is not one of {sorted(PROFILES)}")
    if not 1 <= venues <= MAX_VENUES:
        raise ValueError(f"venues={venues} must be in 1..{MAX_VENUES}")
    commands, quotes, schedule = generate_mixed(operations, seed, profile, quote_share, venues)
    if not check:  # a plain book takes no quotes
        schedule = np.ascontiguousarray(schedule[schedule >= 0])
        quotes = quotes[:0]
    return _Workload(commands, quotes, schedule, profile, venues, check)


def run_bench(operations: int = 200_000, seed: int = 1, profile: str = "ten_dollars", quote_share: float = 0.2,
              venues: int = 4, check: bool = True, keep_samples: bool = False) -> BenchResult:
    """Generate the mixed flow, time every operation (closed loop), summarise by kind."""
    w = _workload(operations, seed, profile, quote_share, venues, check)
    book, commands, quotes, schedule = w.book(), w.commands, w.quotes, w.schedule
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


@dataclass
class LoadPoint:
    """Latency at one offered rate, open loop (ns, from each operation's offered time)."""

    rate: float  # operations offered per second
    p50: float
    p99: float
    p99_9: float
    max: int
    mean: float
    late: float  # share of operations that waited behind an earlier one (latency over 10x the median)


@dataclass
class OpenLoopResult:
    operations: int
    points: list[LoadPoint]
    clock_overhead_ns: int
    config: dict
    machine: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    def report(self) -> str:
        m, c = self.machine, self.config
        lines = [
            f"engine {m['engine']} on {m['cpu']} ({m['cores']} cores), {m['system']}, Python {m['python']}",
            f"open loop: {self.operations:,} operations ({c['profile']} flow, {c['quote_share']:.0%} quote updates"
            f" from {c['venues']} venues, seed {c['seed']}, trade-through check {'on' if c['check'] else 'off'})"
            " offered at each rate; latency from each operation's offered time to its completion",
            f"{'offered/s':>11}{'p50':>9}{'p99':>9}{'p99.9':>10}{'max':>11}{'mean':>9}{'late':>8}   (ns)",
        ]
        for p in self.points:
            lines.append(f"{p.rate / 1e6:>9.2f} M{p.p50:>9.0f}{p.p99:>9.0f}{p.p99_9:>10.0f}{p.max:>11,}{p.mean:>9.0f}"
                         f"{p.late:>8.2%}")
        return "\n".join(lines)


def run_open_loop(rates: tuple[float, ...] = (0.5e6, 1e6, 2e6), operations: int = 200_000, seed: int = 1,
                  profile: str = "ten_dollars", quote_share: float = 0.2, venues: int = 4,
                  check: bool = True) -> OpenLoopResult:
    """Offer the mixed flow at each rate (operations per second) to a fresh book;
    percentiles of latency counted from each operation's offered time."""
    if not rates or any(not 1 <= r <= 1e10 for r in rates):
        raise ValueError(f"rates={rates!r}: each must be between 1 and 1e10 operations per second")
    w = _workload(operations, seed, profile, quote_share, venues, check)
    points = []
    for rate in rates:
        ns, _ = measure_open_loop(w.book(), w.commands, w.quotes, w.schedule, float(rate))
        p50, p99, p999 = (float(v) for v in np.percentile(ns, (50, 99, 99.9)))
        points.append(LoadPoint(float(rate), p50, p99, p999, int(ns.max()), float(ns.mean()),
                                float((ns > 10 * max(p50, 1)).mean())))
    config = {"operations": len(w.schedule), "seed": seed, "profile": profile, "quote_share": quote_share,
              "venues": venues, "check": check}
    return OpenLoopResult(len(w.schedule), points, int(clock_overhead_ns()), config, machine_info())


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("--plot needs matplotlib: pip install matplotlib (or pip install -e '.[plot]')") from None
    return plt


def plot_open_loop(result: OpenLoopResult, path: str) -> None:
    """Latency percentiles against offered load (needs matplotlib)."""
    plt = _pyplot()
    rates = [p.rate / 1e6 for p in result.points]
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, values in (("p50", [p.p50 for p in result.points]), ("p99", [p.p99 for p in result.points]),
                         ("p99.9", [p.p99_9 for p in result.points]), ("max", [p.max for p in result.points])):
        ax.semilogy(rates, np.maximum(values, 1), marker="o", label=name)
    ax.set_xlabel("offered load, million operations per second")
    ax.set_ylabel("latency from offered time, ns (log)")
    ax.set_title(f"engine {result.machine['engine']}, open loop\n{result.operations:,} operations per rate,"
                 f" {result.machine['date']}", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot(result: BenchResult, path: str) -> None:
    """The latency distribution per operation (needs matplotlib: pip install matplotlib)."""
    plt = _pyplot()
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


__all__ = ["BenchResult", "LoadPoint", "OPERATIONS", "OpStats", "OpenLoopResult", "machine_info", "plot",
           "plot_open_loop", "run_bench", "run_open_loop"]
