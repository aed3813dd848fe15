"""Where the file key comes from: production refuses to start without one (a real process)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from openrcm.core.files.sealed import generate_key

KEY_VARIABLES = {"OPENRCM_FILE_KEY", "OPENRCM_FILE_KEYS", "OPENRCM_FILE_KEY_FILE"}


def run_settings(tmp_path: Path, env_name: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Import the settings module of OPENRCM_ENV=env_name in a fresh interpreter (what every
    start does first); print the keyring it configured."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in KEY_VARIABLES | {"OPENRCM_FILE_KEYS_FILE", "DJANGO_SETTINGS_MODULE"}
        and not k.startswith("OPENRCM_")
    }
    env.update(
        OPENRCM_ENV=env_name,
        OPENRCM_VAR_DIR=str(tmp_path / "var"),
        OPENRCM_SECRET_KEY="x" * 60,
        OPENRCM_ALLOWED_HOSTS="billing.example.org",
        **extra,
    )
    code = (
        "import importlib; from openrcm.config.settings.selector import settings_module; "
        "print(importlib.import_module(settings_module()).OPENRCM_FILE_KEYS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_file_key(tmp_path: Path) -> None:
    result = run_settings(tmp_path, "production")
    assert result.returncode != 0
    assert "OPENRCM_FILE_KEY is required with OPENRCM_ENV=production" in result.stderr
    assert not (tmp_path / "var" / "file_key").exists()


def test_production_refuses_a_malformed_key_without_showing_it(tmp_path: Path) -> None:
    result = run_settings(tmp_path, "production", OPENRCM_FILE_KEY="c2hvcnQta2V5")
    assert result.returncode != 0
    assert "OPENRCM_FILE_KEY: key 'default': the key is base64 of 9 bytes" in result.stderr
    assert "c2hvcnQta2V5" not in result.stderr


def test_production_starts_with_a_key(tmp_path: Path) -> None:
    key = generate_key()
    result = run_settings(tmp_path, "production", OPENRCM_FILE_KEY=key)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"default:{key}"


def test_production_reads_the_key_from_a_file(tmp_path: Path) -> None:
    key = generate_key()
    key_file = tmp_path / "file_key"
    key_file.write_text(key + "\n")
    result = run_settings(tmp_path, "production", OPENRCM_FILE_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"default:{key}"


def test_production_takes_a_keyring(tmp_path: Path) -> None:
    new, old = generate_key(), generate_key()
    result = run_settings(tmp_path, "production", OPENRCM_FILE_KEYS=f"2027:{new},2026:{old}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"2027:{new},2026:{old}"


def test_one_key_with_an_id_belongs_in_the_keyring_variable(tmp_path: Path) -> None:
    result = run_settings(tmp_path, "production", OPENRCM_FILE_KEY=f"a:{generate_key()}")
    assert result.returncode != 0
    assert "put id:key pairs in OPENRCM_FILE_KEYS" in result.stderr


@pytest.mark.parametrize("env_name", ["development"])
def test_development_generates_a_private_key_once(tmp_path: Path, env_name: str) -> None:
    first = run_settings(tmp_path, env_name)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "file_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.stdout.strip() == f"dev:{key_file.read_text().strip()}"
    second = run_settings(tmp_path, env_name)
    assert second.stdout == first.stdout
    chosen = generate_key()
    explicit = run_settings(tmp_path, env_name, OPENRCM_FILE_KEY=chosen)
    assert explicit.stdout.strip() == f"default:{chosen}"


def test_the_console_script_refuses_to_start_in_production_without_a_file_key(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENRCM_", "DJANGO_"))}
    env.update(
        OPENRCM_ENV="production",
        OPENRCM_VAR_DIR=str(tmp_path / "var"),
        OPENRCM_SECRET_KEY="x" * 60,
        OPENRCM_ALLOWED_HOSTS="billing.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'openrcm.sqlite3'}",
    )
    result = subprocess.run(
        [str(Path(sys.executable).with_name("openrcm")), "check"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "OPENRCM_FILE_KEY is required with OPENRCM_ENV=production" in result.stderr
