"""Polling survives what a real inbound folder holds: a stray non-X12 file, and one
clearinghouse being down while another answers."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from openrcm.claims.models import Claim
from openrcm.clearinghouse.models import InboundFile, TradingPartner, TransportKind
from openrcm.clearinghouse.services import batch_build, batch_send, inbound_poll, partner_for
from openrcm.clearinghouse.transports import FolderTransport
from openrcm.core.claims.status import ClaimStatus
from openrcm.files.services import file_read
from openrcm.tenancy.models import Practice

pytestmark = pytest.mark.django_db


def _sandbox_answers(practice: Practice, tmp_path: Path) -> tuple[Path, dt.datetime]:
    """Send the practice's ready claims to the sandbox, take its answers, and copy them into a
    folder a second (folder) partner reads."""
    sandbox = partner_for(practice=practice)
    sent = timezone.now()
    built = batch_build(practice=practice, partner=sandbox, now=sent)
    assert built is not None
    batch_send(batch=built.batch, now=sent)
    inbound_poll(partner=sandbox, now=sent + dt.timedelta(days=1))
    folder = tmp_path / "in"
    folder.mkdir()
    for inbound in InboundFile.objects.filter(partner=sandbox).select_related("stored"):
        (folder / f"copy-{inbound.name}").write_bytes(file_read(stored=inbound.stored))
    return folder, sent


def test_a_stray_non_x12_file_is_reported_and_the_others_are_taken(
    practice: Practice, tmp_path: Path
) -> None:
    folder, sent = _sandbox_answers(practice, tmp_path)
    (folder / "aaa-readme.txt").write_bytes(b"Monthly summary report\nnothing to see\n")
    partner = TradingPartner.objects.create(
        practice=practice,
        name="folder",
        transport=TransportKind.FOLDER,
        settings={"out_dir": str(tmp_path / "out"), "in_dir": str(folder)},
        sender_id="SENDER",
        receiver_id="RECEIVER",
        is_default=False,
    )
    transport = FolderTransport(tmp_path / "out", folder)
    result = inbound_poll(partner=partner, now=sent + dt.timedelta(days=2), transport=transport)
    copies = sorted(p.name for p in folder.iterdir() if p.name.startswith("copy-"))
    assert sorted(f.name for f in result.taken) == copies
    [error] = result.errors
    assert error.startswith("aaa-readme.txt: not taken:") and "ISA" in error
    # Every poll says so again, and never blocks the files that come later.
    again = inbound_poll(partner=partner, now=sent + dt.timedelta(days=3), transport=transport)
    assert again.taken == [] and again.skipped == len(copies) and len(again.errors) == 1


def test_one_clearinghouse_down_does_not_stop_the_others(
    practice: Practice, tmp_path: Path
) -> None:
    sandbox = partner_for(practice=practice)
    built = batch_build(practice=practice, partner=sandbox)
    assert built is not None
    batch_send(batch=built.batch)
    # A second partner whose SFTP server is unreachable (nothing listens on port 9).
    TradingPartner.objects.filter(pk=sandbox.pk).update(name="zz-sandbox")
    down = TradingPartner.objects.create(
        practice=practice,
        name="aa-down",
        transport=TransportKind.SFTP,
        settings={
            "host": "127.0.0.1",
            "port": 9,
            "username": "nobody",
            "password_env": "OPENRCM_TEST_NO_SUCH_PASSWORD",
            "host_key": "SHA256:" + "A" * 43,
            "out_dir": "out",
            "in_dir": "in",
        },
        sender_id="SENDER",
        receiver_id="RECEIVER",
        is_default=False,
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 clearinghouse"):
        call_command("inbound", "poll", stdout=out, stderr=err)
    assert f"{practice.slug}/{down.name}: not polled" in err.getvalue()
    assert f"{practice.slug}/zz-sandbox:" in out.getvalue()
    # The sandbox behind the failing partner was still polled (its answers are not due yet).
    assert InboundFile.objects.filter(partner=sandbox).count() == 0
    assert Claim.objects.filter(practice=practice, status=ClaimStatus.SUBMITTED).exists()
