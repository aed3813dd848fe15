"""`openrcm partner list|add|host-key|pin-host-key|check`: a practice's clearinghouses.

Setting up an SFTP clearinghouse (see docs/clearinghouse.md):

    openrcm partner host-key --host sftp.example.com            # shows the key; trusts nothing
    openrcm partner add --practice oak --name acme --transport sftp \\
        --host sftp.example.com --username oak01 --password-env OPENRCM_SFTP_ACME_PASSWORD \\
        --host-key "ssh-ed25519 AAAA..." --out-dir /inbound --in-dir /outbound \\
        --sender-id OAK01 --receiver-id ACME --default
    openrcm partner check --practice oak --name acme            # logs in, sends nothing
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from openrcm.clearinghouse.models import TradingPartner, TransportKind
from openrcm.clearinghouse.partners import partner_create, partner_pin_host_key
from openrcm.clearinghouse.transports import TransportError, transport_for
from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.tenancy.models import Practice

# Options of `partner add` that go into the partner's settings, by transport.
SETTING_OPTIONS = {
    TransportKind.FOLDER: ("out_dir", "in_dir"),
    TransportKind.SFTP: (
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
    ),
    TransportKind.SANDBOX: ("seed",),
}


def _fingerprints(settings: dict[str, Any]) -> list[str]:
    from openrcm.clearinghouse.sftp import pinned_key_parse

    raw = settings.get("host_key")
    keys = [raw] if isinstance(raw, str) else list(raw or [])
    out = []
    for text in keys:
        try:
            out.append(pinned_key_parse(str(text)).fingerprint)
        except ValueError:
            out.append("(unreadable)")
    return out


def partner_row(partner: TradingPartner) -> dict[str, Any]:
    """A partner as `partner list --json` prints it (settings name secrets' places only)."""
    settings = dict(partner.settings or {})
    row: dict[str, Any] = {
        "practice": partner.practice.slug,
        "name": partner.name,
        "transport": partner.transport,
        "default": partner.is_default,
        "sender_id": partner.sender_id,
        "receiver_id": partner.receiver_id,
        "usage": partner.usage,
        "settings": {k: v for k, v in settings.items() if k != "host_key"},
    }
    if partner.transport == TransportKind.SFTP:
        row["host_key_fingerprints"] = _fingerprints(settings)
    return row


class Command(OpenRCMCommand):
    help = "List, add and check a practice's clearinghouses; pin an SFTP server's host key."
    field_names = {"sender_id": "sender-id", "receiver_id": "receiver-id", "host_key": "host-key"}

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="The clearinghouses (of one practice).")
        listing.add_argument("--practice", help="The practice's slug.")
        listing.add_argument("--json", action="store_true", help="Print JSON.")

        add = sub.add_parser("add", help="Add a clearinghouse (trading partner).")
        add.add_argument("--practice", required=True, help="The practice's slug.")
        add.add_argument("--name", required=True, help="A short name, e.g. acme.")
        add.add_argument("--transport", required=True, choices=TransportKind.values)
        add.add_argument("--sender-id", default="", help="ISA06: your submitter id with them.")
        add.add_argument("--receiver-id", default="", help="ISA08: the clearinghouse's id.")
        add.add_argument("--receiver-name", default="CLEARINGHOUSE", help="1000B NM103.")
        add.add_argument("--usage", choices=["T", "P"], default="T", help="ISA15 (test/prod).")
        add.add_argument("--default", action="store_true", help="Make it the default one.")
        add.add_argument("--host", help="SFTP: the server's host name.")
        add.add_argument("--port", type=int, help="SFTP: the port (default 22).")
        add.add_argument("--username", help="SFTP: the login.")
        add.add_argument(
            "--host-key",
            help="SFTP: the server's public key (ssh-keyscan line) or SHA256 fingerprint.",
        )
        add.add_argument("--password-env", help="SFTP: environment variable holding the password.")
        add.add_argument("--password-file", help="SFTP: file holding the password.")
        add.add_argument("--key-file", help="SFTP: private key file.")
        add.add_argument("--key-env", help="SFTP: environment variable holding the private key.")
        add.add_argument("--key-passphrase-env", help="SFTP: variable holding the passphrase.")
        add.add_argument("--out-dir", help="Folder the batches go to (on the server for SFTP).")
        add.add_argument("--in-dir", help="Folder the acknowledgments come from.")
        add.add_argument("--archive-dir", help="SFTP: move taken files here (optional).")
        add.add_argument("--seed", type=int, help="Sandbox: its seed.")
        add.add_argument("--json", action="store_true", help="Print the new partner as JSON.")

        show = sub.add_parser(
            "host-key", help="Show the key an SSH server presents (trusts and pins nothing)."
        )
        show.add_argument("--practice", help="With --name: the partner's server.")
        show.add_argument("--name", help="The partner whose server to ask.")
        show.add_argument("--host", help="Or a host name.")
        show.add_argument("--port", type=int, default=22)

        pin = sub.add_parser("pin-host-key", help="Pin the SFTP server's host key.")
        pin.add_argument("--practice", required=True)
        pin.add_argument("--name", required=True)
        pin.add_argument(
            "--host-key", required=True, help="The public key line or SHA256 fingerprint."
        )
        pin.add_argument(
            "--add",
            action="store_true",
            help="Keep the keys pinned already too (while the clearinghouse rotates its key).",
        )

        check = sub.add_parser("check", help="Connect and look at the folders; send nothing.")
        check.add_argument("--practice", required=True)
        check.add_argument("--name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        getattr(self, f"_{action}")(options)

    def _practice(self, slug: str) -> Practice:
        practice = Practice.objects.filter(slug=slug).first()
        if practice is None:
            raise Error(f"no practice {slug!r}")
        return practice

    def _partner(self, options: dict[str, Any]) -> TradingPartner:
        practice = self._practice(options["practice"])
        partner = TradingPartner.objects.filter(practice=practice, name=options["name"]).first()
        if partner is None:
            raise Error(f"practice {practice.slug} has no clearinghouse {options['name']!r}")
        return partner

    def _list(self, options: dict[str, Any]) -> None:
        partners = TradingPartner.objects.select_related("practice").order_by("practice", "name")
        if options.get("practice"):
            partners = partners.filter(practice=self._practice(options["practice"]))
        rows = [partner_row(p) for p in partners]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No clearinghouses yet: `openrcm partner add`.")
        for row in rows:
            settings = row["settings"]
            where = (
                f"{settings.get('username')}@{settings.get('host')}:{settings.get('port', 22)}"
                if row["transport"] == TransportKind.SFTP
                else settings.get("out_dir", "")
            )
            mark = " (default)" if row["default"] else ""
            self.stdout.write(f"{row['practice']}/{row['name']}{mark}  {row['transport']}  {where}")
            for fp in row.get("host_key_fingerprints", []):
                self.stdout.write(f"  host key pinned: {fp}")

    def _add(self, options: dict[str, Any]) -> None:
        practice = self._practice(options["practice"])
        transport = options["transport"]
        allowed = SETTING_OPTIONS[TransportKind(transport)]
        settings = {k: options[k] for k in allowed if options.get(k) not in (None, "")}
        ignored = [
            f"--{k.replace('_', '-')}"
            for keys in SETTING_OPTIONS.values()
            for k in keys
            if k not in allowed and options.get(k) not in (None, "")
        ]
        if ignored:
            raise Error(
                f"{', '.join(sorted(set(ignored)))} do not apply to --transport {transport}"
            )
        partner = partner_create(
            practice=practice,
            name=options["name"],
            transport=transport,
            settings=settings,
            sender_id=options["sender_id"],
            receiver_id=options["receiver_id"],
            receiver_name=options["receiver_name"],
            usage=options["usage"],
            is_default=options["default"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(partner_row(partner), indent=2))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Added clearinghouse {partner.name} ({transport}) to {practice.slug}."
            )
        )
        if transport == TransportKind.SFTP:
            for fp in _fingerprints(partner.settings):
                self.stdout.write(f"  host key pinned: {fp}")
            self.stdout.write(
                f"  try it: openrcm partner check --practice {practice.slug} --name {partner.name}"
            )

    def _host_key(self, options: dict[str, Any]) -> None:
        from openrcm.clearinghouse.sftp import pinned_key_parse, server_host_key

        if options.get("name"):
            if not options.get("practice"):
                raise Error("--name needs --practice")
            settings = self._partner(options).settings or {}
            host, port = settings.get("host"), int(settings.get("port", 22))
        else:
            host, port = options.get("host"), options["port"]
        if not host:
            raise Error("give --host (or --practice and --name of an SFTP partner)")
        try:
            line = server_host_key(host, port)
        except TransportError as exc:
            raise Error(str(exc)) from exc
        self.stdout.write(line)
        self.stdout.write(f"fingerprint: {pinned_key_parse(line).fingerprint}")
        self.stdout.write(
            "Compare it with the fingerprint the clearinghouse gave you (not over this "
            "connection) before pinning it with `openrcm partner pin-host-key`."
        )

    def _pin_host_key(self, options: dict[str, Any]) -> None:
        partner = self._partner(options)
        fingerprint = partner_pin_host_key(
            partner=partner, host_key=options["host_key"], add=options["add"]
        )
        self.stdout.write(self.style.SUCCESS(f"{partner.name}: host key pinned: {fingerprint}"))
        for other in _fingerprints(partner.settings):
            if other != fingerprint:
                self.stdout.write(f"  still pinned: {other}")

    def _check(self, options: dict[str, Any]) -> None:
        from openrcm.clearinghouse.sftp import SftpTransport

        partner = self._partner(options)
        if partner.transport != TransportKind.SFTP:
            raise Error(f"{partner.name} uses {partner.transport}: only SFTP partners are checked")
        try:
            channel = transport_for(partner, now=partner.created_at)
            assert isinstance(channel, SftpTransport)
            counts = channel.check()
        except TransportError as exc:
            raise Error(str(exc)) from exc
        self.stdout.write(
            f"{partner.name}: connected, host key matches, logged in; "
            f"{counts['out_dir']} entries in out_dir, {counts['in_dir']} in in_dir"
        )
