"""The load and fault tests of bench/load_test.py, run as part of the suite.

Each starts its own PostgreSQL server and gunicorn on loopback and runs for a bounded time.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# One group: under pytest-xdist both run on the same worker, one after the other, never at once.
pytestmark = [pytest.mark.load, pytest.mark.xdist_group("load")]


def run_load_test(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "bench/load_test.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_minute_of_browsing_searching_and_applying_loses_nothing():
    result = run_load_test("--duration", "60")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "missing afterwards: 0" in result.stdout
    assert "PASS" in result.stdout


def test_a_database_restart_under_load_gives_503s_then_recovers_losing_nothing():
    result = run_load_test("--duration", "60", "--fault")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "PostgreSQL stopped" in result.stdout
    assert "missing afterwards: 0" in result.stdout
    assert "PASS" in result.stdout
