"""`python -m sandbox`: only in development, only on loopback, and it says where it listens."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.__main__ import debug_enabled

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, debug: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    if debug is not None:
        env["DEBUG"] = debug
    return subprocess.run(
        [sys.executable, "-m", "sandbox", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


@pytest.mark.parametrize("value", ["1", "true", "Yes", "ON"])
def test_debug_counts_when_truthy(value):
    assert debug_enabled({"DEBUG": value})


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off", "maybe"])
def test_debug_does_not_count_otherwise(value):
    assert not debug_enabled({"DEBUG": value})
    assert not debug_enabled({})


@pytest.mark.parametrize("debug", [None, "0", "false"])
def test_the_cli_refuses_to_start_without_debug(debug):
    result = _run("--port", "0", debug=debug)
    assert result.returncode == 2
    assert "DEBUG" in result.stderr


def test_the_cli_refuses_a_host_beyond_loopback():
    result = _run("--host", "0.0.0.0", "--port", "0", debug="1")
    assert result.returncode == 2
    assert "loopback" in result.stderr


def _first_line(*args: str, debug: str | None) -> str:
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    if debug is not None:
        env["DEBUG"] = debug
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "sandbox", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        return process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_cli_prints_its_url_when_debug_is_on():
    line = _first_line("--port", "0", "--seed", "empty", debug="1")
    assert "http://127.0.0.1:" in line


def test_the_cli_starts_without_debug_when_explicitly_allowed():
    line = _first_line("--port", "0", "--allow-without-debug", debug=None)
    assert "http://127.0.0.1:" in line
