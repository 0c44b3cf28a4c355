import csv

from bench import load_report
from bench.load_report import Record


def test_percentile_is_the_nearest_rank():
    values = [float(n) for n in range(100, 0, -1)]
    assert load_report.percentile(values, 50) == 50
    assert load_report.percentile(values, 99) == 99
    assert load_report.percentile([7.0], 99) == 7
    assert load_report.percentile([], 50) == 0


def _run(*, page_ms=20.0, slow=(), errors=(), login_ms=1500.0):
    """Two users log in at the start; then 200 pages, one every 0.1 s from 3 s on."""
    records = [
        Record(0.0, "GET", "/accounts/login/", 30, ""),
        Record(0.1, "POST", "/accounts/login/", login_ms, ""),
        Record(0.2, "POST", "/accounts/login/", login_ms, ""),
    ]
    for index in range(200):
        ms = 900.0 if index in slow else page_ms
        error = "500 instead of 200" if index in errors else ""
        records.append(Record(3.0 + index / 10, "GET", "/cases/[id]/", ms, error))
    return records


def test_the_steady_state_begins_after_the_last_log_in_and_the_settling_time():
    assert load_report.steady_from(_run(), settle=5) == 0.2 + 1.5 + 5


def test_a_clean_steady_run_meets_the_targets_though_logging_in_was_slow():
    lines, ok = load_report.report(_run(), ratio=3, settle=5)
    assert ok
    text = "\n".join(lines)
    assert "GET /cases/[id]/" in text and "POST /accounts/login/" in text
    assert "MISSED" not in text


def test_an_error_misses_the_target_even_before_the_steady_state():
    lines, ok = load_report.report(_run(errors={0}), ratio=3, settle=5)
    assert not ok
    text = "\n".join(lines)
    assert "1 x GET /cases/[id]/: 500 instead of 200" in text
    assert "Target: no errors (whole run) ......... MISSED (1 errors)" in text


def test_a_slow_tail_in_the_steady_state_misses_the_ratio():
    slow = set(range(150, 160))  # 10 of the steady requests: 5 % at 900 ms
    lines, ok = load_report.report(_run(slow=slow), ratio=3, settle=5)
    assert not ok
    assert any(line.startswith("Target: p99 <= 3 x p50 (steady state) . MISSED") for line in lines)


def test_the_report_reads_what_the_locustfile_writes(tmp_path):
    path = tmp_path / "requests.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(load_report.FIELDS)
        writer.writerow([1700000000.5, "GET", "/cases/", 12.5, ""])
        writer.writerow([1700000001.0, "POST", "/cases/new/", 30.0, "400 instead of 302"])
    records = load_report.read(path)
    assert records == [
        Record(1700000000.5, "GET", "/cases/", 12.5, ""),
        Record(1700000001.0, "POST", "/cases/new/", 30.0, "400 instead of 302"),
    ]
    assert load_report.main(["load_report", str(path)]) == 1


def test_no_records_is_a_failure(tmp_path, capsys):
    path = tmp_path / "requests.csv"
    path.write_text(",".join(load_report.FIELDS) + "\n")
    assert load_report.main(["load_report", str(path)]) == 1
    assert "did not run" in capsys.readouterr().err


def _samples(busy_from):
    """One CPU sample a second for 30 s; other programs use a whole core from `busy_from` on."""
    return [
        load_report.CpuSample(
            start=float(second),
            seconds=1.0,
            machine=0.5 + (1.0 if second >= busy_from else 0.0),
            gunicorn=0.4,
            locust=0.05,
            database=0.05,
            waited=0.5 if second >= busy_from else 0.0,
        )
        for second in range(30)
    ]


def test_the_steady_state_is_split_into_quiet_and_busy_seconds_of_the_machine():
    slow = set(range(150, 200))  # the requests from 18 s on are slow: other programs ran then
    lines, _ = load_report.report(_run(slow=slow), ratio=3, settle=5, samples=_samples(busy_from=18))
    quiet = next(line for line in lines if line.strip().startswith("quiet"))
    busy = next(line for line in lines if line.strip().startswith("busy"))
    assert "p99    20 ms" in quiet
    assert "p99   900 ms" in busy


def test_the_cpu_summary_says_who_used_the_cpu(tmp_path):
    path = tmp_path / "cpu.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(load_report.CPU_FIELDS)
        for sample in _samples(busy_from=10):
            writer.writerow([getattr(sample, name) for name in load_report.CPU_FIELDS])
    text = load_report.cpu_summary(load_report.read_cpu(path), cores=2)
    assert "CPU over 30 s on 2 cores, 58% busy" in text
    assert "gunicorn 12 s, its PostgreSQL 2 s, locust 2 s, other programs 20 s" in text
    assert "waited for a core 33% of the time" in text
