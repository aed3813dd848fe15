"""Fixtures of the monthly report tests: the worked book of ``test_report_cli`` with what the
monthly report adds (the denied C2 paid after an appeal: a recovery; two practice owners and a
biller with e-mail addresses; an owner of another practice), and a real SMTP server."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from openrcm.accounts.services import user_create
from openrcm.posting.ledger import ledger_check
from openrcm.posting.services import era_import
from openrcm.tenancy.models import Membership
from tests.apps.conftest import PASSWORD, build_practice
from tests.apps.posting.eras import clp, era, remittance, svc
from tests.apps.reporting.test_report_cli import Book, at, lines, paid_on
from tests.apps.reporting.test_report_cli import book as book


@dataclass
class MonthlyBook:
    book: Book
    owner: Any
    co_owner: Any
    biller: Any
    stranger: Any


@pytest.fixture
def monthly_book(book: Book) -> MonthlyBook:
    """The book, plus C2 (denied 10-20, CO-50 200.00) paid 120.00 on 10-30 after an appeal
    (CO-45 80.00): 120.00 of its 200.00 denial recovered by 31 October."""
    (l3,) = lines(book.c2)
    with at(dt.date(2026, 10, 31)):
        three = remittance(
            [clp(book.c2, [svc(l3, "120", ("CO", "45", "80"))], icn="ICN-D")], trace="T-3"
        )
        era_import(
            data=era(paid_on(three, dt.date(2026, 10, 30)), isa=3), practice=book.world.practice
        )
    assert ledger_check() == []
    practice = book.world.practice
    owner = user_create(
        username="olivia", password=PASSWORD, practice=practice, role="practice_owner"
    )
    owner.email = "olivia.owner@example.org"
    owner.save(update_fields=["email"])
    co_owner = user_create(username="oscar", password=PASSWORD)
    co_owner.email = "Oscar@Example.org"
    co_owner.save(update_fields=["email"])
    Membership.objects.create(user=co_owner, practice=practice, role="practice_owner")
    biller = user_create(username="bill", password=PASSWORD, practice=practice, role="biller")
    biller.email = "bill.biller@example.org"
    biller.save(update_fields=["email"])
    other = build_practice("oth", "1234567893", payer=book.world.payer)
    stranger = user_create(
        username="sam", password=PASSWORD, practice=other.practice, role="practice_owner"
    )
    stranger.email = "sam.elsewhere@example.org"
    stranger.save(update_fields=["email"])
    return MonthlyBook(book, owner, co_owner, biller, stranger)


@dataclass
class Smtp:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and the messages it received."""

    port: int
    messages: list[Any]

    def by_recipient(self) -> dict[str, Any]:
        """Each received message by its one recipient (the report goes one message each)."""
        found: dict[str, Any] = {}
        for message in self.messages:
            for address in message["X-RcptTo"].split(","):
                found[address.strip().lower()] = message
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def use_smtp(settings: Any, port: int) -> None:
    """Point Django's default mailer at the SMTP backend on 127.0.0.1:``port`` (the test
    environment swaps every mailer for locmem; this puts the real backend back)."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp(settings: Any) -> Iterator[Smtp]:
    """An aiosmtpd server on a free port of 127.0.0.1 collecting what it is sent, with the
    default mailer pointed at it."""
    port = free_port()
    received: list[Any] = []

    class Collect(Message):
        def handle_message(self, message: Any) -> None:
            received.append(message)

    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    use_smtp(settings, port)
    try:
        yield Smtp(port, received)
    finally:
        controller.stop()
