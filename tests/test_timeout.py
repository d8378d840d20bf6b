"""Every test runs under pytest-timeout (configured in pyproject.toml), so a hung test fails with
its stack instead of blocking CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def test_the_suite_has_a_per_test_timeout(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.hasplugin("timeout")
    assert 0 < float(pytestconfig.getini("timeout")) <= 900


def test_a_hung_test_fails_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "test_hang.py").write_text(
        "import threading\n\ndef test_hang():\n    threading.Event().wait()\n", encoding="utf-8"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--timeout", "1",
         str(tmp_path / "test_hang.py")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Timeout (>1.0s)" in run.stdout
