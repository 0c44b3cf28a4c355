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
