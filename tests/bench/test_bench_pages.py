"""The page benchmark: PostgreSQL only, and its admin changelist stays its own."""

import os
import subprocess
import sys
from pathlib import Path

from django.contrib import admin

from cases.models import Referral

ROOT = Path(__file__).resolve().parents[2]


def test_the_bench_refuses_a_database_other_than_postgresql(tmp_path):
    result = subprocess.run(
        [sys.executable, "bench/bench_pages.py"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr and "postgres://" in result.stderr


def test_the_bench_registers_referrals_on_its_own_admin_site_only():
    import bench.urls

    assert Referral in bench.urls.case_worker_site._registry
    assert Referral in bench.urls.coordinator_site._registry
    assert Referral not in admin.site._registry
