"""`openrcm audit verify`: 0 with "audit chain intact: N events", else non-zero naming the row."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openrcm.audit.models import AuditEvent
from openrcm.cli import main

from .conftest import drop_triggers, raw

pytestmark = pytest.mark.django_db


def test_verify_intact(five_events: list[AuditEvent]) -> None:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "audit chain intact: 5 events"
    assert lines[1].startswith(f"head: seq 5 hash {five_events[-1].hash}")


def test_verify_through_the_console_script(
    five_events: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    main(["audit", "verify"])  # returns normally: exit status 0
    assert "audit chain intact: 5 events" in capsys.readouterr().out


def test_verify_broken_exits_non_zero_naming_the_row(
    five_events: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    drop_triggers()
    raw("UPDATE audit_auditevent SET client_ip = '203.0.113.1' WHERE seq = 2")
    with pytest.raises(CommandError, match=r"broken at seq 2 \(id \d+\): changed") as info:
        call_command("audit", "verify")
    assert info.value.returncode == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", "verify"])
    assert exit_info.value.code == 1
    assert f"audit chain broken at seq 2 (id {five_events[1].pk})" in capsys.readouterr().err


def test_verify_names_a_removed_row(five_events: list[AuditEvent]) -> None:
    drop_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq = 4")
    with pytest.raises(CommandError, match=r"broken at seq 4: removed: seq 4 missing"):
        call_command("audit", "verify")


def test_verify_with_anchor(five_events: list[AuditEvent]) -> None:
    call_command("audit", "verify", "--anchor", f"3:{five_events[2].hash}", stdout=StringIO())
    with pytest.raises(CommandError, match="anchor"):
        call_command("audit", "verify", "--anchor", f"3:{'0' * 64}")
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("audit", "verify", "--anchor", "3:nothex")


def test_audit_needs_a_subcommand(db: Any) -> None:
    with pytest.raises(CommandError):
        call_command("audit")
