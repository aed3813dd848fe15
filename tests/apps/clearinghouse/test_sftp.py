"""The SFTP transport against a real SSH server (asyncssh's, started here on 127.0.0.1 with its
own keys and rooted in a temporary folder): a batch uploaded into the outbound folder, the
sandbox's 999 and 277CA downloaded from the inbound folder and applied once, a changed or
unknown host key refused before anything moves, and bad credentials refused plainly."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from io import StringIO
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from openrcm.claims.models import Claim
from openrcm.clearinghouse.models import (
    Batch,
    BatchStatus,
    InboundFile,
    TradingPartner,
    TransportKind,
)
from openrcm.clearinghouse.partners import partner_create, partner_pin_host_key
from openrcm.clearinghouse.services import batch_build, batch_send, inbound_poll
from openrcm.clearinghouse.sftp import (
    SftpTransport,
    fingerprint,
    pinned_key_parse,
    sftp_settings,
)
from openrcm.clearinghouse.transports import TransportError, transport_for
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.sandbox import Sandbox, SandboxConfig
from openrcm.core.x12.ta1 import TA1Ack, write_ta1
from openrcm.files.services import file_read
from openrcm.patients.models import Patient
from openrcm.scrubbing.models import ClaimFinding
from openrcm.scrubbing.services import claim_override_warning, practice_scrub
from tests.apps.conftest import PracticeWorld

pytestmark = pytest.mark.django_db

USERNAME = "oakclinic"
PASSWORD = "s3cret-sftp-password"
PASSWORD_ENV = "OPENRCM_TEST_SFTP_PASSWORD"


# -- a real SFTP server in a thread ----------------------------------------------------------


class _Server(asyncssh.SSHServer):
    def __init__(self, logins: list[str]) -> None:
        self.logins = logins  # every user that got as far as authenticating

    def begin_auth(self, username: str) -> bool:
        self.logins.append(username)
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USERNAME and password == PASSWORD


@dataclass
class SshServer:
    root: Path
    host_key: asyncssh.SSHKey
    port: int
    logins: list[str] = field(default_factory=list)

    @property
    def key_line(self) -> str:
        return self.host_key.export_public_key("openssh").decode().strip()

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(exist_ok=True)
        return path


class ServerThread:
    """One event loop in a daemon thread serving any number of SSH servers."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.servers: list[asyncssh.SSHAcceptor] = []

    def start(
        self,
        root: Path,
        host_key: asyncssh.SSHKey,
        client_key: asyncssh.SSHKey,
        logins: list[str],
    ) -> int:
        authorized = asyncssh.import_authorized_keys(
            client_key.export_public_key("openssh").decode()
        )

        async def listen() -> asyncssh.SSHAcceptor:
            return await asyncssh.listen(
                "127.0.0.1",
                0,
                server_factory=lambda: _Server(logins),
                server_host_keys=[host_key],
                authorized_client_keys=authorized,
                sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(root).encode()),
                allow_scp=False,
            )

        acceptor = asyncio.run_coroutine_threadsafe(listen(), self.loop).result(10)
        self.servers.append(acceptor)
        return int(acceptor.sockets[0].getsockname()[1])

    def stop(self) -> None:
        async def close() -> None:
            for acceptor in self.servers:
                acceptor.close()
                await acceptor.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@dataclass(frozen=True)
class Keys:
    host: asyncssh.SSHKey
    other_host: asyncssh.SSHKey
    client: asyncssh.SSHKey


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        host=asyncssh.generate_private_key("ssh-ed25519"),
        other_host=asyncssh.generate_private_key("ssh-ed25519"),
        client=asyncssh.generate_private_key("ssh-ed25519"),
    )


@pytest.fixture(scope="module")
def server_thread() -> Iterator[ServerThread]:
    thread = ServerThread()
    yield thread
    thread.stop()


@pytest.fixture
def start_server(
    server_thread: ServerThread, keys: Keys, tmp_path: Path
) -> Callable[..., SshServer]:
    """Start an SSH server rooted in this test's folder (``host_key`` defaults to the one
    partners pin)."""
    root = tmp_path / "sftp-root"
    root.mkdir()

    def start(host_key: asyncssh.SSHKey | None = None) -> SshServer:
        key = host_key or keys.host
        logins: list[str] = []
        port = server_thread.start(root, key, keys.client, logins)
        return SshServer(root=root, host_key=key, port=port, logins=logins)

    return start


@pytest.fixture
def server(start_server: Callable[..., SshServer]) -> SshServer:
    srv = start_server()
    srv.folder("to-clearinghouse")
    srv.folder("from-clearinghouse")
    return srv


@pytest.fixture
def key_file(keys: Keys, tmp_path: Path) -> Path:
    path = tmp_path / "id_ed25519"
    path.write_bytes(keys.client.export_private_key())
    path.chmod(0o600)
    return path


@pytest.fixture
def password_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return PASSWORD_ENV


def settings_for(server: SshServer, **extra: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": USERNAME,
        "host_key": server.key_line,
        "password_env": PASSWORD_ENV,
        "out_dir": "to-clearinghouse",
        "in_dir": "from-clearinghouse",
        "connect_timeout": 5,
        "transfer_timeout": 10,
    }
    settings.update(extra)
    return {k: v for k, v in settings.items() if v is not None}


def ta1_file(control: int) -> bytes:
    """A clearinghouse's TA1 accepting interchange ``control`` (a small real X12 file)."""
    moment = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    ack = TA1Ack(f"{control:09d}", moment.date(), moment.time(), "A")
    text = write_ta1(
        [ack], sender_id="ACMECH", receiver_id="OAK01", isa_control=control, now=moment
    )
    return text.encode("ascii")


def make_partner(world: PracticeWorld, settings: dict[str, Any]) -> TradingPartner:
    return partner_create(
        practice=world.practice,
        name="acme",
        transport=TransportKind.SFTP,
        settings=settings,
        sender_id="OAK01",
        receiver_id="ACMECH",
        receiver_name="ACME CLEARINGHOUSE",
        is_default=True,
    )


def ready_claim(world: PracticeWorld) -> Claim:
    """The practice's claim scrubbed, its warnings overridden (with a reason): ready. The
    patient gets a street address (the subscriber's N3 is required)."""
    Patient.objects.filter(pk=world.patient.pk).update(
        address_line1="12 Elm St", city="Springfield", state="IL"
    )
    practice_scrub(practice=world.practice)
    claim: Claim = world.claim
    for rule_id in ClaimFinding.objects.filter(claim=claim).values_list("rule_id", flat=True):
        claim_override_warning(
            claim=claim, rule_id=rule_id, reason="Checked by the biller.", actor=None
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.READY.value
    return claim


def sent_batch(world: PracticeWorld, partner: TradingPartner, now: dt.datetime) -> Batch:
    ready_claim(world)
    built = batch_build(practice=world.practice, partner=partner, now=now)
    assert built.batch is not None
    batch_send(batch=built.batch, now=now)
    return built.batch


# -- the cycle ---------------------------------------------------------------------------------


def test_upload_poll_download_once_with_a_password(
    practice_a: PracticeWorld, server: SshServer, password_env: str
) -> None:
    partner = make_partner(practice_a, settings_for(server))
    now = timezone.now()
    batch = sent_batch(practice_a, partner, now)

    # The batch file is in the outbound folder, whole, with no partial file left beside it.
    (bfile,) = batch.files.all()
    outbound = server.root / "to-clearinghouse"
    assert sorted(p.name for p in outbound.iterdir()) == [bfile.name]
    sent = (outbound / bfile.name).read_bytes()
    assert sent == file_read(stored=bfile.stored)
    assert server.logins == [USERNAME]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SUBMITTED
    assert Claim.objects.get(pk=practice_a.claim.pk).status == ClaimStatus.SUBMITTED.value

    # The clearinghouse (the sandbox) answers into the inbound folder; a hidden half-written
    # file and a sub-folder sit there too and are never taken.
    sandbox = Sandbox(SandboxConfig(seed=5))
    sandbox.receive_837(sent, received_at=now, name=bfile.name)
    answers = sandbox.poll(as_of=now + dt.timedelta(days=1))
    inbound = server.root / "from-clearinghouse"
    for answer in answers:
        (inbound / answer.name).write_bytes(answer.content)
    (inbound / ".999-next.x12.part").write_bytes(b"ISA*00*")
    (inbound / "old").mkdir()

    result = inbound_poll(partner=partner, now=now + dt.timedelta(days=1))
    assert sorted(f.name for f in result.taken) == sorted(a.name for a in answers)
    assert {f.kind for f in result.taken} >= {"999", "277CA"}
    assert result.errors == []
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ACCEPTED
    assert Claim.objects.get(pk=practice_a.claim.pk).status == ClaimStatus.ACKNOWLEDGED.value
    stored = {f.name: file_read(stored=f.stored) for f in InboundFile.objects.all()}
    assert stored == {a.name: a.content for a in answers}
    # The files stay on the server (no archive_dir): polling again takes nothing.
    again = inbound_poll(partner=partner, now=now + dt.timedelta(days=2))
    assert again.taken == [] and again.skipped == len(answers)
    polled = StringIO()
    call_command("inbound", "poll", "--practice", practice_a.practice.slug, stdout=polled)
    assert f"acme: 0 new files, {len(answers)} seen before" in polled.getvalue()
    assert InboundFile.objects.count() == len(answers)


def test_private_key_login_and_archive_after_commit(
    practice_a: PracticeWorld,
    server: SshServer,
    key_file: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings = settings_for(
        server,
        password_env=None,
        key_file=str(key_file),
        host_key=pinned_key_parse(server.key_line).fingerprint,  # a fingerprint pins too
        archive_dir="taken",
    )
    partner = make_partner(practice_a, settings)
    inbound = server.root / "from-clearinghouse"
    (inbound / "TA1-1.x12").write_bytes(ta1_file(1))
    with django_capture_on_commit_callbacks(execute=True):
        result = inbound_poll(partner=partner)
    assert [(f.name, f.kind) for f in result.taken] == [("TA1-1.x12", "TA1")]
    # Moved to the archive once stored; the same name arriving again later is kept apart.
    assert list(inbound.iterdir()) == []
    assert (server.root / "taken" / "TA1-1.x12").read_bytes() == ta1_file(1)
    (inbound / "TA1-1.x12").write_bytes(ta1_file(2))
    with django_capture_on_commit_callbacks(execute=True):
        assert len(inbound_poll(partner=partner).taken) == 1
    assert sorted(p.name for p in (server.root / "taken").iterdir())[0] == "TA1-1.x12"
    assert len(list((server.root / "taken").iterdir())) == 2


def test_changed_host_key_refused_and_nothing_moves(
    practice_a: PracticeWorld,
    server: SshServer,
    start_server: Callable[..., SshServer],
    keys: Keys,
    password_env: str,
) -> None:
    partner = make_partner(practice_a, settings_for(server))
    ready_claim(practice_a)
    built = batch_build(practice=practice_a.practice, partner=partner)
    assert built.batch is not None
    (server.root / "from-clearinghouse" / "TA1-9.x12").write_bytes(ta1_file(9))
    # The same folder now served with another key: a changed server (or someone between).
    impostor = start_server(host_key=keys.other_host)
    partner.settings = {**partner.settings, "port": impostor.port}
    partner.save()
    seen, pinned = fingerprint(keys.other_host), fingerprint(keys.host)

    with pytest.raises(TransportError) as refused:
        inbound_poll(partner=partner)
    message = str(refused.value)
    assert "REFUSED" in message and f"127.0.0.1:{impostor.port}" in message
    assert seen in message and pinned in message
    assert InboundFile.objects.count() == 0

    with pytest.raises(TransportError, match="REFUSED"):
        batch_send(batch=built.batch)
    built.batch.refresh_from_db()
    assert built.batch.status == BatchStatus.BUILT
    assert list((server.root / "to-clearinghouse").iterdir()) == []
    assert Claim.objects.get(pk=practice_a.claim.pk).status == ClaimStatus.BATCHED.value
    # Refused during the key exchange: the impostor never got as far as a login attempt.
    assert impostor.logins == []
    # Pinning the new key (after confirming it with the clearinghouse) lets polls through.
    partner_pin_host_key(partner=partner, host_key=impostor.key_line)
    partner.refresh_from_db()
    assert [f.name for f in inbound_poll(partner=partner).taken] == ["TA1-9.x12"]


def test_wrong_password_and_missing_secret_refused_plainly(
    practice_a: PracticeWorld, server: SshServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    partner = make_partner(practice_a, settings_for(server))
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    with pytest.raises(TransportError) as refused:
        inbound_poll(partner=partner)
    assert f"refused the login of '{USERNAME}'" in str(refused.value)
    assert PASSWORD_ENV in str(refused.value) and "not-the-password" not in str(refused.value)
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(TransportError, match=f"{PASSWORD_ENV}.*not set"):
        inbound_poll(partner=partner)


def test_no_server_and_missing_folder_name_the_address(
    practice_a: PracticeWorld, server: SshServer, password_env: str
) -> None:
    partner = make_partner(practice_a, settings_for(server, in_dir="nowhere"))
    with pytest.raises(TransportError, match="inbound folder nowhere does not exist"):
        inbound_poll(partner=partner)
    channel = transport_for(partner, now=timezone.now())
    assert isinstance(channel, SftpTransport)
    closed = SftpTransport(replace(channel.settings, port=1, connect_timeout=2))
    with pytest.raises(TransportError, match=r"cannot connect to 127\.0\.0\.1:1"):
        closed.poll()


def test_an_existing_file_is_not_overwritten(
    practice_a: PracticeWorld, server: SshServer, password_env: str
) -> None:
    partner = make_partner(practice_a, settings_for(server))
    channel = transport_for(partner, now=timezone.now())
    channel.send(name="837P-a-000000001.x12", data=b"first")
    with pytest.raises(TransportError, match="already exists: not overwritten"):
        channel.send(name="837P-a-000000001.x12", data=b"second")
    with pytest.raises(TransportError, match="not a plain file name"):
        channel.send(name="../escape.x12", data=b"x")
    assert (server.root / "to-clearinghouse" / "837P-a-000000001.x12").read_bytes() == b"first"


def test_works_when_called_from_async_code(
    practice_a: PracticeWorld, server: SshServer, password_env: str
) -> None:
    channel = transport_for(make_partner(practice_a, settings_for(server)), now=timezone.now())
    assert isinstance(channel, SftpTransport)
    (server.root / "from-clearinghouse" / "TA1-3.x12").write_bytes(ta1_file(3))

    async def in_a_running_loop() -> list[tuple[str, bytes]]:
        return channel.poll()

    assert asyncio.run(in_a_running_loop()) == [("TA1-3.x12", ta1_file(3))]


# -- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"host_key": None}, "settings need host_key"),
        ({"host_key": "MD5:16:27:ac"}, "MD5 fingerprints are not accepted"),
        ({"host_key": "ssh-ed25519 nonsense"}, "neither an OpenSSH public key"),
        ({"password": "hunter2"}, "'password' in clear; remove it and use password_env"),
        ({"password_env": None}, "settings need a credential"),
        ({"username": None}, "settings need username"),
        ({"in_dir": None}, "settings need in_dir"),
        ({"port": 70000}, "port must be a number"),
        ({"archive": "x"}, "unknown settings archive"),
    ],
)
def test_settings_are_checked_with_the_key_named(change: dict[str, Any], message: str) -> None:
    settings = {
        "host": "sftp.example.com",
        "username": "oak",
        "host_key": "SHA256:" + "A" * 43,
        "password_env": PASSWORD_ENV,
        "out_dir": "out",
        "in_dir": "in",
    }
    settings.update(change)
    settings = {k: v for k, v in settings.items() if v is not None}
    with pytest.raises(TransportError) as bad:
        sftp_settings("acme", settings)
    assert message in str(bad.value)
    assert "partner acme (sftp)" in str(bad.value)


def test_a_partner_is_not_created_with_bad_settings(practice_a: PracticeWorld) -> None:
    with pytest.raises(ValidationError, match="settings need host_key"):
        make_partner(practice_a, {"host": "sftp.example.com", "username": "oak"})
    assert not TradingPartner.objects.exists()


def test_pinned_key_forms() -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    line = key.export_public_key("openssh").decode().strip()
    expected = fingerprint(key)
    assert pinned_key_parse(line).fingerprint == expected
    assert pinned_key_parse(f"[sftp.example.com]:2222 {line}").fingerprint == expected
    assert pinned_key_parse(expected).key is None
    assert pinned_key_parse(expected).fingerprint == expected


# -- the command -----------------------------------------------------------------------------


def test_partner_command_add_check_and_pin(
    practice_a: PracticeWorld, server: SshServer, password_env: str, keys: Keys
) -> None:
    slug = practice_a.practice.slug
    out = StringIO()
    call_command(
        "partner",
        "add",
        "--practice", slug,
        "--name", "acme",
        "--transport", "sftp",
        "--host", "127.0.0.1",
        "--port", str(server.port),
        "--username", USERNAME,
        "--password-env", PASSWORD_ENV,
        "--host-key", server.key_line,
        "--out-dir", "to-clearinghouse",
        "--in-dir", "from-clearinghouse",
        "--sender-id", "OAK01",
        "--receiver-id", "ACMECH",
        "--default",
        stdout=out,
    )  # fmt: skip
    assert fingerprint(keys.host) in out.getvalue()
    checked = StringIO()
    call_command("partner", "check", "--practice", slug, "--name", "acme", stdout=checked)
    assert "host key matches" in checked.getvalue()
    shown = StringIO()
    call_command("partner", "host-key", "--practice", slug, "--name", "acme", stdout=shown)
    assert server.key_line.split()[1] in shown.getvalue()
    assert fingerprint(keys.host) in shown.getvalue()
    listed = StringIO()
    call_command("partner", "list", "--practice", slug, stdout=listed)
    assert f"{USERNAME}@127.0.0.1:{server.port}" in listed.getvalue()
    other = fingerprint(keys.other_host)
    call_command(
        "partner", "pin-host-key", "--practice", slug, "--name", "acme", "--host-key", other,
        stdout=StringIO(),
    )  # fmt: skip
    with pytest.raises(CommandError, match="REFUSED"):
        call_command("partner", "check", "--practice", slug, "--name", "acme")
    # While a clearinghouse rotates keys, --add keeps both pinned.
    added = StringIO()
    call_command(
        "partner", "pin-host-key", "--practice", slug, "--name", "acme",
        "--host-key", server.key_line, "--add", stdout=added,
    )  # fmt: skip
    assert f"still pinned: {other}" in added.getvalue()
    call_command("partner", "check", "--practice", slug, "--name", "acme", stdout=StringIO())
    with pytest.raises(CommandError, match="--host do not apply to --transport folder"):
        call_command(
            "partner", "add", "--practice", slug, "--name", "f", "--transport", "folder",
            "--host", "x", "--out-dir", "o", "--in-dir", "i", "--sender-id", "S",
            "--receiver-id", "R",
        )  # fmt: skip
