"""SFTP to a clearinghouse: upload to its outbound folder, download from its inbound folder.

A partner with ``transport = "sftp"`` keeps these keys in ``settings`` (see docs/clearinghouse.md):

    host, port (22), username                  where and as whom to log in
    host_key                                   the server's key, PINNED: an OpenSSH public key
                                               line (``ssh-ed25519 AAAA...``, as ``ssh-keyscan``
                                               prints it, host prefix allowed) or its SHA256
                                               fingerprint (``SHA256:...``), or a list of them
    password_env | password_file               where the password is (never the password)
    key_file | key_env, key_passphrase_env     where the private key (and its passphrase) is
    out_dir, in_dir                            the server's outbound and inbound folders
    archive_dir                                optional: taken files move there after commit
    connect_timeout (20), transfer_timeout (300)   seconds

Secrets never sit in the JSON in clear: ``password_env`` names an environment variable (read
with :func:`openrcm.config.env.env_str`, so ``<NAME>_FILE`` works too), ``*_file`` a file.

A server whose host key is not pinned is refused before any password or key is offered, with a
message naming the host and the fingerprint it showed against the pinned ones. Each call
opens one connection (asyncssh, run to completion with :func:`asyncio.run`) and closes it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import logging
import posixpath
import stat
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
from django.db import transaction

from openrcm.clearinghouse.transports import TransportError
from openrcm.config.env import ConfigurationError, env_str

logger = logging.getLogger(__name__)

DEFAULT_PORT = 22
DEFAULT_CONNECT_TIMEOUT = 20.0
DEFAULT_TRANSFER_TIMEOUT = 300.0
# Settings that would hold a secret in clear: refused, with where it belongs instead.
CLEAR_SECRETS = {
    "password": "password_env (an environment variable's name) or password_file",
    "private_key": "key_file (a path) or key_env (an environment variable's name)",
    "key": "key_file (a path) or key_env (an environment variable's name)",
    "passphrase": "key_passphrase_env (an environment variable's name)",
    "key_passphrase": "key_passphrase_env (an environment variable's name)",
}
KNOWN_SETTINGS = {
    "host",
    "port",
    "username",
    "host_key",
    "password_env",
    "password_file",
    "key_file",
    "key_env",
    "key_passphrase_env",
    "out_dir",
    "in_dir",
    "archive_dir",
    "connect_timeout",
    "transfer_timeout",
}
# Files a clearinghouse is still writing commonly carry these endings: never taken.
PARTIAL_SUFFIXES = (".part", ".tmp", ".filepart")


@dataclass(frozen=True)
class PinnedKey:
    """One acceptable host key: its SHA256 fingerprint, and the key itself when known (a
    full key also steers the key exchange to its algorithm)."""

    fingerprint: str
    key: asyncssh.SSHKey | None = None


def fingerprint(key: asyncssh.SSHKey) -> str:
    """A public key's SHA256 fingerprint as OpenSSH prints it (``SHA256:...``)."""
    return key.get_fingerprint("sha256")


def pinned_key_parse(text: str) -> PinnedKey:
    """Read a pinned host key: ``SHA256:<base64>``, an OpenSSH public key line, or a
    known_hosts / ``ssh-keyscan`` line (``host ssh-ed25519 AAAA...``). ValueError says why not."""
    value = " ".join(str(text).split())
    if not value:
        raise ValueError("the host key is empty")
    if value.upper().startswith("MD5:"):
        raise ValueError("MD5 fingerprints are not accepted: give the SHA256 one or the key")
    if value.startswith("SHA256:"):
        body = value.removeprefix("SHA256:")
        if " " in body or not 40 <= len(body) <= 44:
            raise ValueError(f"{value!r} is not a SHA256 fingerprint (SHA256: and 43 characters)")
        return PinnedKey(fingerprint=f"SHA256:{body.rstrip('=')}")
    if value.startswith("@"):
        raise ValueError("known_hosts markers (@cert-authority, @revoked) are not accepted")
    words = value.split(" ")
    candidates = [" ".join(words[i : i + 2]) for i in range(min(2, len(words) - 1))]
    for candidate in candidates:
        try:
            key = asyncssh.import_public_key(candidate)
        except (asyncssh.KeyImportError, ValueError):
            continue
        return PinnedKey(fingerprint=fingerprint(key), key=key)
    raise ValueError(
        f"{value[:60]!r} is neither an OpenSSH public key (ssh-ed25519 AAAA...) "
        "nor a SHA256 fingerprint"
    )


@dataclass(frozen=True)
class SftpSettings:
    """A partner's SFTP settings, checked (secrets are read when connecting)."""

    partner: str
    host: str
    port: int
    username: str
    host_keys: tuple[PinnedKey, ...]
    out_dir: str
    in_dir: str
    archive_dir: str = ""
    password_env: str = ""
    password_file: str = ""
    key_file: str = ""
    key_env: str = ""
    key_passphrase_env: str = ""
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    transfer_timeout: float = DEFAULT_TRANSFER_TIMEOUT

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def label(self) -> str:
        return f"partner {self.partner} (sftp {self.username}@{self.address})"


def _text(options: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = options.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise TransportError(f"{where}: settings {key} must be text, not {value!r}")
    value = value.strip()
    if required and not value:
        raise TransportError(f"{where}: settings need {key}")
    return value


def _seconds(options: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3600:
        raise TransportError(f"{where}: settings {key} must be seconds (1 to 3600), not {value!r}")
    return float(value)


def sftp_settings(partner_name: str, options: Mapping[str, Any]) -> SftpSettings:
    """Check a partner's SFTP settings; a TransportError names the key that is wrong."""
    where = f"partner {partner_name} (sftp)"
    for key, instead in CLEAR_SECRETS.items():
        if key in options:
            raise TransportError(
                f"{where}: settings hold {key!r} in clear; remove it and use {instead}"
            )
    unknown = sorted(set(options) - KNOWN_SETTINGS)
    if unknown:
        raise TransportError(
            f"{where}: unknown settings {', '.join(unknown)} "
            f"(known: {', '.join(sorted(KNOWN_SETTINGS))})"
        )
    port = options.get("port", DEFAULT_PORT)
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise TransportError(f"{where}: settings port must be a number from 1 to 65535")
    raw_keys = options.get("host_key")
    if isinstance(raw_keys, str):
        raw_keys = [raw_keys]
    if not raw_keys or not isinstance(raw_keys, list):
        raise TransportError(
            f"{where}: settings need host_key, the server's public key (a line of "
            "`ssh-keyscan -p PORT HOST`) or its SHA256 fingerprint, as the clearinghouse "
            "publishes it; a server whose key is not pinned is refused"
        )
    pinned = []
    for number, raw in enumerate(raw_keys, start=1):
        try:
            pinned.append(pinned_key_parse(str(raw)))
        except ValueError as exc:
            raise TransportError(f"{where}: settings host_key #{number}: {exc}") from None
    settings = SftpSettings(
        partner=partner_name,
        host=_text(options, "host", where, required=True),
        port=port,
        username=_text(options, "username", where, required=True),
        host_keys=tuple(pinned),
        out_dir=_text(options, "out_dir", where, required=True),
        in_dir=_text(options, "in_dir", where, required=True),
        archive_dir=_text(options, "archive_dir", where),
        password_env=_text(options, "password_env", where),
        password_file=_text(options, "password_file", where),
        key_file=_text(options, "key_file", where),
        key_env=_text(options, "key_env", where),
        key_passphrase_env=_text(options, "key_passphrase_env", where),
        connect_timeout=_seconds(options, "connect_timeout", DEFAULT_CONNECT_TIMEOUT, where),
        transfer_timeout=_seconds(options, "transfer_timeout", DEFAULT_TRANSFER_TIMEOUT, where),
    )
    if not (settings.password_env or settings.password_file) and not (
        settings.key_file or settings.key_env
    ):
        raise TransportError(
            f"{where}: settings need a credential: password_env or password_file for a "
            "password, key_file or key_env for a private key"
        )
    if settings.password_env and settings.password_file:
        raise TransportError(f"{where}: settings give both password_env and password_file")
    if settings.key_file and settings.key_env:
        raise TransportError(f"{where}: settings give both key_file and key_env")
    if settings.archive_dir and settings.archive_dir.rstrip("/") == settings.in_dir.rstrip("/"):
        raise TransportError(f"{where}: settings archive_dir must differ from in_dir")
    return settings


# -- secrets ---------------------------------------------------------------------------------


def _env_secret(name: str, what: str, where: str) -> str:
    try:
        value = env_str(name)
    except ConfigurationError as exc:
        raise TransportError(f"{where}: {what}: {exc}") from None
    if not value:
        raise TransportError(
            f"{where}: the {what} is read from the environment variable {name} "
            f"(or a file named by {name}_FILE), which is not set"
        )
    return value


def _file_secret(path: str, what: str, where: str) -> str:
    try:
        return Path(path).expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise TransportError(f"{where}: the {what} file {path} cannot be read: {exc}") from None


@dataclass(frozen=True)
class Credentials:
    password: str | None
    key: asyncssh.SSHKey | None


def credentials_for(settings: SftpSettings) -> Credentials:
    """The password and/or private key the settings point at."""
    where = settings.label
    password = None
    if settings.password_env:
        password = _env_secret(settings.password_env, "password", where)
    elif settings.password_file:
        password = _file_secret(settings.password_file, "password", where)
    key = None
    if settings.key_file or settings.key_env:
        passphrase = (
            _env_secret(settings.key_passphrase_env, "key passphrase", where)
            if settings.key_passphrase_env
            else None
        )
        if settings.key_file:
            text = _file_secret(settings.key_file, "private key", where)
            source = f"key_file {settings.key_file}"
        else:
            text = _env_secret(settings.key_env, "private key", where)
            source = f"key_env {settings.key_env}"
        try:
            key = asyncssh.import_private_key(text, passphrase)
        except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError) as exc:
            raise TransportError(
                f"{where}: the private key ({source}) is unusable: {exc}"
            ) from None
    return Credentials(password=password, key=key)


# -- connections -----------------------------------------------------------------------------


class _PinningClient(asyncssh.SSHClient):
    """Accepts only a pinned host key and remembers the key the server showed."""

    def __init__(self, pinned: tuple[PinnedKey, ...]) -> None:
        self.pinned = {p.fingerprint for p in pinned}
        self.seen: asyncssh.SSHKey | None = None

    def validate_host_public_key(self, host: str, addr: str, port: int, key: Any) -> bool:
        self.seen = key
        return bool(fingerprint(key) in self.pinned)


def _run[T](factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code (in a worker thread when this thread
    already runs an event loop, as under an async view)."""

    async def main() -> T:
        return await factory()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def _as_bytes(data: str | bytes) -> bytes:
    # Files are opened in binary mode, so this is bytes; asyncssh types it as either.
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def host_key_refused(settings: SftpSettings, seen: asyncssh.SSHKey) -> TransportError:
    """The error for a server that showed a key which is not pinned."""
    pinned = " or ".join(p.fingerprint for p in settings.host_keys)
    which = "pinned keys are" if len(settings.host_keys) > 1 else "pinned key is"
    return TransportError(
        f"{settings.label}: REFUSED: the server at {settings.address} showed host key "
        f"{fingerprint(seen)} ({seen.get_algorithm()}), but the {which} {pinned}. "
        "Nothing was sent or taken. If the clearinghouse really changed its key, confirm the "
        "new fingerprint with them and pin it (`openrcm partner pin-host-key`)."
    )


class SftpTransport:
    """A clearinghouse's SFTP server as a :class:`~openrcm.clearinghouse.transports.Transport`."""

    def __init__(self, settings: SftpSettings) -> None:
        self.settings = settings

    # The connection, with every failure turned into a TransportError naming host:port.
    async def _session[R](self, work: Callable[[asyncssh.SFTPClient], Awaitable[R]]) -> R:
        s = self.settings
        creds = credentials_for(s)
        client = _PinningClient(s.host_keys)
        full_keys = [p.key for p in s.host_keys if p.key is not None]
        try:
            async with asyncio.timeout(s.connect_timeout + s.transfer_timeout):
                conn, _ = await asyncssh.create_connection(
                    lambda: client,
                    s.host,
                    s.port,
                    username=s.username,
                    password=creds.password,
                    client_keys=[creds.key] if creds.key is not None else None,
                    known_hosts=(full_keys, [], []),
                    config=[],
                    agent_path=None,
                    x509_trusted_certs=None,
                    gss_host=None,
                    connect_timeout=s.connect_timeout,
                    login_timeout=s.connect_timeout,
                    keepalive_interval=30,
                )
                try:
                    sftp = await conn.start_sftp_client()
                    try:
                        return await work(sftp)
                    finally:
                        sftp.exit()
                finally:
                    conn.close()
                    await conn.wait_closed()
        except asyncssh.HostKeyNotVerifiable as exc:
            if client.seen is not None:
                raise host_key_refused(s, client.seen) from None
            raise TransportError(
                f"{s.label}: the server's host key could not be verified: {exc.reason}"
            ) from None
        except asyncssh.PermissionDenied:
            how = " and ".join(
                what
                for what, used in (
                    (f"a password ({s.password_env or s.password_file})", creds.password),
                    (f"a key ({s.key_file or s.key_env})", creds.key),
                )
                if used
            )
            raise TransportError(
                f"{s.label}: the server refused the login of {s.username!r} with {how}: "
                "check the username and the credential"
            ) from None
        except asyncssh.SFTPError as exc:
            raise TransportError(f"{s.label}: {exc.reason}") from None
        except asyncssh.Error as exc:
            raise TransportError(f"{s.label}: the connection failed: {exc.reason}") from None
        except TimeoutError:
            raise TransportError(
                f"{s.label}: {s.address} did not answer in time "
                f"(connect_timeout {s.connect_timeout:g} s, transfer_timeout "
                f"{s.transfer_timeout:g} s)"
            ) from None
        except OSError as exc:
            raise TransportError(
                f"{s.label}: cannot connect to {s.address}: {exc.strerror or exc}"
            ) from None

    # -- sending -----------------------------------------------------------------------------

    def send(self, *, name: str, data: bytes) -> None:
        """Upload ``data`` as ``out_dir/name``: written as ``.name.part`` and renamed, so the
        clearinghouse never picks up half a file; an existing file is never overwritten."""
        if posixpath.basename(name) != name or name.startswith(".") or "\\" in name:
            raise TransportError(f"{name!r} is not a plain file name")
        s = self.settings
        target = posixpath.join(s.out_dir, name)
        partial = posixpath.join(s.out_dir, f".{name}.part")

        async def upload(sftp: asyncssh.SFTPClient) -> None:
            if not await sftp.isdir(s.out_dir):
                raise TransportError(f"{s.label}: the outbound folder {s.out_dir} does not exist")
            if await sftp.exists(target):
                raise TransportError(f"{s.label}: {target} already exists: not overwritten")
            try:
                async with sftp.open(partial, "wb") as fh:
                    await fh.write(data)
                await sftp.rename(partial, target)
            except BaseException:
                with contextlib.suppress(asyncssh.Error, OSError):
                    await sftp.remove(partial)
                raise
            written = (await sftp.stat(target)).size
            if written != len(data):
                raise TransportError(
                    f"{s.label}: {target} holds {written} bytes after the upload, not {len(data)}"
                )

        _run(lambda: self._session(upload))

    def check(self) -> dict[str, int]:
        """Log in and look at the folders, sending and taking nothing: the number of entries
        in ``out_dir`` and ``in_dir`` (a TransportError says what is wrong)."""
        s = self.settings

        async def look(sftp: asyncssh.SFTPClient) -> dict[str, int]:
            counts = {}
            for key, folder in (("out_dir", s.out_dir), ("in_dir", s.in_dir)):
                if not await sftp.isdir(folder):
                    raise TransportError(f"{s.label}: the folder {key} {folder} does not exist")
                names = [str(e.filename) for e in await sftp.readdir(folder)]
                counts[key] = sum(1 for n in names if not n.startswith("."))
            return counts

        return _run(lambda: self._session(look))

    # -- polling -----------------------------------------------------------------------------

    def poll(self) -> list[tuple[str, bytes]]:
        """Download every plain file of ``in_dir`` (not dot-files, folders or files still
        being written). Files stay on the server unless ``archive_dir`` is set: then they move
        there once the caller's transaction (which stored them) has committed."""
        s = self.settings

        async def download(sftp: asyncssh.SFTPClient) -> list[tuple[str, bytes]]:
            if not await sftp.isdir(s.in_dir):
                raise TransportError(f"{s.label}: the inbound folder {s.in_dir} does not exist")
            files = []
            for entry in sorted(await sftp.readdir(s.in_dir), key=lambda e: str(e.filename)):
                name = str(entry.filename)
                if name.startswith(".") or name.endswith(PARTIAL_SUFFIXES):
                    continue
                path = posixpath.join(s.in_dir, name)
                mode = entry.attrs.permissions
                if mode is None:
                    mode = (await sftp.stat(path)).permissions
                if mode is None or not stat.S_ISREG(mode):
                    continue
                async with sftp.open(path, "rb") as fh:
                    files.append((name, _as_bytes(await fh.read())))
            return files

        files = _run(lambda: self._session(download))
        if s.archive_dir and files and transaction.get_connection().in_atomic_block:
            digests = {name: hashlib.sha256(data).hexdigest() for name, data in files}
            transaction.on_commit(lambda: self.archive(digests))
        return files

    def archive(self, files: Mapping[str, str]) -> None:
        """Move taken files (name -> SHA-256) from ``in_dir`` into ``archive_dir``. Runs after
        the commit, so a failure only logs: the files stay and the next poll skips them by
        name and hash. A file whose content changed since it was taken stays in place."""
        s = self.settings

        async def move(sftp: asyncssh.SFTPClient) -> None:
            await sftp.makedirs(s.archive_dir, exist_ok=True)
            for name, digest in files.items():
                source = posixpath.join(s.in_dir, name)
                async with sftp.open(source, "rb") as fh:
                    if hashlib.sha256(_as_bytes(await fh.read())).hexdigest() != digest:
                        continue  # replaced since: the next poll takes the new content
                target = posixpath.join(s.archive_dir, name)
                if await sftp.exists(target):
                    target = f"{target}.{digest[:12]}"
                if await sftp.exists(target):
                    continue
                await sftp.rename(source, target)

        try:
            _run(lambda: self._session(move))
        except TransportError as exc:
            logger.warning("archiving taken files failed (they stay in place): %s", exc)


def sftp_transport_for(partner_name: str, options: Mapping[str, Any]) -> SftpTransport:
    """The SFTP transport of a partner's settings (checked)."""
    return SftpTransport(sftp_settings(partner_name, options))


def server_host_key(host: str, port: int = DEFAULT_PORT, *, timeout: float = 20.0) -> str:
    """The public key an SSH server shows, as an OpenSSH line, WITHOUT trusting or logging in:
    for a person to compare with the fingerprint the clearinghouse publishes before pinning."""

    async def fetch() -> asyncssh.SSHKey | None:
        async with asyncio.timeout(timeout):
            return await asyncssh.get_server_host_key(host, port, config=[])

    try:
        key = _run(fetch)
    except (asyncssh.Error, OSError, TimeoutError) as exc:
        raise TransportError(f"cannot read the host key of {host}:{port}: {exc}") from None
    if key is None:
        raise TransportError(f"{host}:{port} showed no host key")
    return str(key.export_public_key("openssh").decode("ascii").strip())
