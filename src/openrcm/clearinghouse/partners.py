"""Setting up trading partners (clearinghouses): created with their transport's settings
checked, and an SFTP server's host key pinned (audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openrcm.audit.services import audit_record
from openrcm.clearinghouse.models import TradingPartner, TransportKind
from openrcm.clearinghouse.transports import TransportError, transport_for
from openrcm.tenancy.models import Practice


def _check_settings(partner: TradingPartner, now: dt.datetime) -> None:
    try:
        transport_for(partner, now=now)
    except TransportError as exc:
        raise ValidationError({"settings": str(exc)}) from None


def partner_create(
    *,
    practice: Practice,
    name: str,
    transport: str,
    settings: Mapping[str, Any],
    sender_id: str,
    receiver_id: str,
    receiver_name: str = "CLEARINGHOUSE",
    sender_qualifier: str = "ZZ",
    receiver_qualifier: str = "ZZ",
    usage: str = "T",
    is_default: bool = False,
    actor: Any = None,
) -> TradingPartner:
    """A new clearinghouse for ``practice``; its settings must make a working transport
    (an SFTP partner needs its host key pinned and a credential named). ``is_default`` makes
    it the practice's default (the others stop being it)."""
    name = (name or "").strip()
    if transport not in TransportKind.values:
        raise ValidationError(
            {"transport": f"{transport!r} is not one of {', '.join(TransportKind.values)}"}
        )
    if TradingPartner.objects.filter(practice=practice, name=name).exists():
        raise ValidationError({"name": f"{practice.slug} already has a clearinghouse {name!r}"})
    partner = TradingPartner(
        practice=practice,
        name=name,
        transport=transport,
        settings=dict(settings),
        sender_id=(sender_id or "").strip(),
        receiver_id=(receiver_id or "").strip(),
        receiver_name=receiver_name,
        sender_qualifier=sender_qualifier,
        receiver_qualifier=receiver_qualifier,
        usage=usage,
        is_default=is_default,
    )
    partner.full_clean(exclude=["practice"])
    _check_settings(partner, timezone.now())
    with transaction.atomic():
        if is_default:
            TradingPartner.objects.filter(practice=practice).update(is_default=False)
        partner.save()
        audit_record(
            action="create",
            actor=actor,
            practice=practice,
            object_type="clearinghouse.tradingpartner",
            object_id=partner.pk,
            detail={
                "partner": name,
                "transport": str(transport),
                "settings": sorted(partner.settings),
            },
        )
    return partner


def partner_pin_host_key(
    *, partner: TradingPartner, host_key: str, add: bool = False, actor: Any = None
) -> str:
    """Pin ``host_key`` (an OpenSSH public key line or a SHA256 fingerprint) as the SFTP
    server's only accepted key, replacing what was pinned, or (``add``) beside the keys
    pinned already, while a clearinghouse rotates its key; returns its fingerprint."""
    from openrcm.clearinghouse.sftp import pinned_key_parse

    if partner.transport != TransportKind.SFTP:
        raise ValidationError({"transport": f"{partner.name} does not use SFTP"})
    try:
        pinned = pinned_key_parse(host_key)
    except ValueError as exc:
        raise ValidationError({"host_key": str(exc)}) from None
    before = partner.settings.get("host_key") if partner.settings else None
    previous = [before] if isinstance(before, str) else list(before or [])
    line = " ".join(host_key.split())
    keys: str | list[str] = [*previous, line] if add and previous else line
    partner.settings = {**(partner.settings or {}), "host_key": keys}
    _check_settings(partner, timezone.now())
    partner.save(update_fields=["settings"])
    old = []
    for text in previous:
        try:
            old.append(pinned_key_parse(str(text)).fingerprint)
        except ValueError:
            old.append("(unreadable)")
    audit_record(
        action="update",
        actor=actor,
        practice=partner.practice_id,
        object_type="clearinghouse.tradingpartner",
        object_id=partner.pk,
        detail={
            "event": "host_key_pinned",
            "fingerprint": pinned.fingerprint,
            "was": old,
            "added": add,
        },
    )
    return pinned.fingerprint
