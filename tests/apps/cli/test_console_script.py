"""The real `openrcm` console script on a new SQLite file: init, demo, status, errors, serve."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.apps.cli.helpers import OPENRCM, script, script_env

pytestmark = pytest.mark.skipif(not OPENRCM.exists(), reason="the console script is not installed")


def test_init_demo_status_and_mistakes(tmp_path: Path) -> None:
    before = script(tmp_path, "status", "--json")
    assert before.returncode != 0
    assert "openrcm init" in before.stderr
    assert "Traceback" not in before.stderr

    first = script(tmp_path, "init")
    assert first.returncode == 0, first.stderr
    assert "(new)" in first.stdout and "Applied" in first.stdout
    again = script(tmp_path, "init")
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout

    demo = script(
        tmp_path,
        "demo",
        "--seed",
        "3",
        "--patients",
        "12",
        "--encounters",
        "20",
        "--cycle-days",
        "0",
    )
    assert demo.returncode == 0, demo.stderr
    status = json.loads(script(tmp_path, "status", "--json").stdout)
    assert status["practices"] == 3
    assert status["patients"] == 12
    assert status["encounters"] == 20
    # Every encounter has its claim; the demo scrubs them, so each is draft (held) or ready.
    assert sum(status["claims"].values()) == 20
    assert status["claims"]["draft"] + status["claims"]["ready"] == 20

    bad = script(
        tmp_path,
        "practice",
        "create",
        "--slug",
        "x",
        "--name",
        "X",
        "--npi",
        "1234567890",
        "--tin",
        "12-3456789",
    )
    assert bad.returncode != 0
    assert "npi" in bad.stderr and "Traceback" not in bad.stderr
    broken = tmp_path / "broken.x12"
    broken.write_text("ISA*00*oops~", encoding="ascii")
    x12 = script(tmp_path, "x12", "parse", str(broken))
    if "not available" not in x12.stderr:
        assert x12.returncode == 2
        assert "segment 1 (ISA)" in x12.stderr and "Traceback" not in x12.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_serve_answers_pages_and_static_files(tmp_path: Path) -> None:
    assert script(tmp_path, "init").returncode == 0
    port = _free_port()
    env = script_env(tmp_path) | {"PORT": str(port)}
    server = subprocess.Popen(
        [str(OPENRCM), "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + 120
        banner = ""
        while time.monotonic() < deadline and "serving on" not in banner:
            banner = server.stdout.readline()
            if not banner and server.poll() is not None:
                pytest.fail(f"the server stopped: {server.stderr.read() if server.stderr else ''}")
        assert f"http://127.0.0.1:{port}/" in banner
        base = f"http://127.0.0.1:{port}"
        assert _get(f"{base}/static/admin/css/base.css") == 200
        assert _get(f"{base}/") < 500
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
