"""The load test's report: requests per second, p50, p99 and errors, per request name and in total.

Reads the requests the locustfile recorded one by one (LOAD_RECORDS, a CSV of
start time, method, name, milliseconds and error), so that the percentiles are
exact for every group, not locust's rounded ones, and checks the targets:

- no errors at all, in the whole run;
- p99 at most LOAD_P99_RATIO (3) times p50 in the steady state: the requests
  that start LOAD_SETTLE_SECONDS (5) after the last user has logged in. Every
  user logs in at the start, and each log-in checks its password with Argon2,
  slow on purpose (about 0.17 s of CPU): 50 of them within seconds saturate a
  small server, and pages wait behind them. Real users log in spread over a
  morning; the whole run, log-in burst included, is reported as well.

With run_load.py's cpu.csv beside it, the steady state is also shown split
into quiet seconds and seconds in which other programs on the machine used
the CPU: on a shared machine that tells their noise from the application's
own tail. The target itself is checked on the whole steady state.

Usage: python bench/load_report.py var/load/requests.csv; exit status 1 when
a target is missed.
"""

from __future__ import annotations

import csv
import math
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

LOGIN_PREFIX = "/accounts/login/"
# The columns of the locustfile's record of every request.
FIELDS = ["start", "method", "name", "ms", "error"]
# The columns of run_load.py's record of the CPU, second by second (CPU-seconds in each).
CPU_FIELDS = ["start", "seconds", "machine", "gunicorn", "locust", "database", "waited"]
# A second is quiet when all other programs together used less than this much of a core.
QUIET_CORES = 0.25


@dataclass(frozen=True)
class Record:
    start: float  # seconds since the epoch
    method: str
    name: str
    milliseconds: float
    error: str

    @property
    def is_login(self) -> bool:
        return self.name.startswith(LOGIN_PREFIX)


@dataclass(frozen=True)
class CpuSample:
    start: float
    seconds: float
    machine: float
    gunicorn: float
    locust: float
    database: float
    waited: float

    @property
    def others(self) -> float:
        """What all other programs used: the machine's total less the load test's own."""
        return max(0.0, self.machine - self.gunicorn - self.locust - self.database)

    @property
    def quiet(self) -> bool:
        return self.others < QUIET_CORES * self.seconds


@dataclass(frozen=True)
class Summary:
    label: str
    requests: int
    per_second: float
    p50: float
    p99: float
    slowest: float
    errors: int


def read(path: Path) -> list[Record]:
    with path.open(newline="", encoding="utf-8") as file:
        return [
            Record(float(row["start"]), row["method"], row["name"], float(row["ms"]), row["error"])
            for row in csv.DictReader(file)
        ]


def read_cpu(path: Path) -> list[CpuSample]:
    with path.open(newline="", encoding="utf-8") as file:
        return [CpuSample(*(float(row[name]) for name in CPU_FIELDS)) for row in csv.DictReader(file)]


def cpu_summary(samples: list[CpuSample], cores: int) -> str:
    wall = sum(sample.seconds for sample in samples) or 1.0

    def used(part: str) -> float:
        return sum(getattr(sample, part) for sample in samples)

    return (
        f"CPU over {wall:.0f} s on {cores} cores, {used('machine') / wall / cores:.0%} busy: "
        f"gunicorn {used('gunicorn'):.0f} s, its PostgreSQL {used('database'):.0f} s, "
        f"locust {used('locust'):.0f} s, other programs {used('others'):.0f} s.\n"
        f"Some runnable task waited for a core {used('waited') / wall:.0%} of the time (/proc/pressure/cpu)."
    )


def by_machine(steady: list[Record], samples: list[CpuSample]) -> list[str]:
    """The steady state split by what other programs did at the time: quiet seconds and busy ones."""
    lines = [f"Steady state by the machine (quiet: other programs under {QUIET_CORES:g} core):"]
    for quiet in (True, False):
        windows = [s for s in samples if s.quiet is quiet]
        chosen = [r for r in steady if any(w.start <= r.start < w.start + w.seconds for w in windows)]
        times = [r.milliseconds for r in chosen]
        seconds = sum(w.seconds for w in windows if w.start >= min((r.start for r in steady), default=0))
        lines.append(
            f"  {'quiet' if quiet else 'busy':<5} {seconds:>4.0f} s {len(chosen):>6} requests  "
            f"p50 {percentile(times, 50):>5.0f} ms  p99 {percentile(times, 99):>5.0f} ms"
        )
    lines.append("")
    return lines


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` percent of the values at or below it."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(label: str, records: list[Record], seconds: float) -> Summary:
    times = [record.milliseconds for record in records]
    return Summary(
        label=label,
        requests=len(records),
        per_second=len(records) / seconds if seconds > 0 else 0.0,
        p50=percentile(times, 50),
        p99=percentile(times, 99),
        slowest=max(times, default=0.0),
        errors=sum(1 for record in records if record.error),
    )


def duration(records: list[Record]) -> float:
    """From the first request's start to the last one's end."""
    if not records:
        return 0.0
    return max(r.start + r.milliseconds / 1000 for r in records) - min(r.start for r in records)


def steady_from(records: list[Record], settle: float) -> float:
    """When the steady state begins: `settle` seconds after the last log-in ended."""
    logins = [r.start + r.milliseconds / 1000 for r in records if r.is_login]
    return max(logins, default=min((r.start for r in records), default=0.0)) + settle


def table(title: str, records: list[Record], totals: list[Summary]) -> list[str]:
    seconds = duration(records)
    groups: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        groups.setdefault((record.method, record.name), []).append(record)
    rows = [summarise(f"{method} {name}", group, seconds) for (method, name), group in sorted(groups.items())]
    width = max([len(row.label) for row in [*rows, *totals]] + [10])
    header = (
        f"{title:<{width}} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}"
    )

    def line(row: Summary) -> str:
        return (
            f"{row.label:<{width}} {row.requests:>7} {row.per_second:>7.1f} {row.p50:>8.0f} "
            f"{row.p99:>8.0f} {row.slowest:>8.0f} {row.errors:>7}"
        )

    rule = "-" * len(header)
    return [header, rule, *[line(row) for row in rows], rule, *[line(row) for row in totals], ""]


def report(
    records: list[Record], ratio: float = 3.0, settle: float = 5.0, samples: list[CpuSample] | None = None
) -> tuple[list[str], bool]:
    """The report's lines, and whether the targets were met."""
    first = min((r.start for r in records), default=0.0)
    begins = steady_from(records, settle)
    steady = [r for r in records if r.start >= begins]
    warming = [r for r in records if r.start < begins]
    total = summarise("All requests", records, duration(records))
    offset = begins - first
    lines = [f"{len(records)} requests in {duration(records):.0f} s", ""]
    lines += table(
        "Whole run",
        records,
        [
            total,
            summarise(f"Logging in: the first {offset:.0f} s", warming, offset),
            summarise(f"Steady state: after {offset:.0f} s", steady, duration(steady)),
        ],
    )
    target = summarise("All (the target)", steady, duration(steady))
    lines += table(f"Steady state (from {offset:.0f} s)", steady, [target])
    if samples:
        lines += by_machine(steady, samples)

    errors = Counter(f"{record.method} {record.name}: {record.error}" for record in records if record.error)
    if errors:
        lines.append("Errors:")
        lines += [f"  {count} x {text}" for text, count in errors.most_common()]
        lines.append("")

    ok_errors = total.errors == 0
    limit = ratio * target.p50
    ok_ratio = target.requests > 0 and target.p99 <= limit
    lines.append(
        f"Target: no errors (whole run) ......... {'met' if ok_errors else 'MISSED'} ({total.errors} errors)"
    )
    lines.append(
        f"Target: p99 <= {ratio:g} x p50 (steady state) . {'met' if ok_ratio else 'MISSED'} "
        f"(p99 {target.p99:.0f} ms, {ratio:g} x p50 = {limit:.0f} ms)"
    )
    return lines, ok_errors and ok_ratio


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("Usage: python bench/load_report.py <requests.csv>", file=sys.stderr)
        return 2
    records = read(Path(argv[1]))
    if not records:
        print("No requests were recorded: the load test did not run.", file=sys.stderr)
        return 1
    cpu = Path(argv[1]).with_name("cpu.csv")
    lines, ok = report(
        records,
        ratio=float(os.environ.get("LOAD_P99_RATIO", "3")),
        settle=float(os.environ.get("LOAD_SETTLE_SECONDS", "5")),
        samples=read_cpu(cpu) if cpu.exists() else None,
    )
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
