"""`openrcm worker [--once] [--interval SECONDS] [--worker-id ID]`: run the schedules (each
practice's daily batch, inbound polling) and the background queue; see docs/schedules.md."""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from django.core.management.base import CommandParser

from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.schedules.models import Job, JobStatus
from openrcm.schedules.worker import WorkerProcess, run_once

LOGGERS = ("openrcm.schedules", "django_tasks_db", "django.tasks")


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[-64:]


class Command(OpenRCMCommand):
    help = "Run the schedules and the background queue (until SIGTERM or Ctrl-C)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Open the jobs due now, run the queue until it is empty, and exit.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between looks at an empty queue (default: %(default)s).",
        )
        parser.add_argument(
            "--worker-id",
            default="",
            help="This process's name in the queue (unique per worker; default host-pid).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 0:
            raise Error("--interval: must be zero or more seconds")
        worker_id = options["worker_id"] or default_worker_id()
        if len(worker_id) > 64:
            raise Error("--worker-id: at most 64 characters")
        level = logging.WARNING if options["verbosity"] == 0 else logging.INFO
        for name in LOGGERS:
            logging.getLogger(name).setLevel(level)
        if options["once"]:
            report = run_once(worker_id=worker_id)
            waiting = Job.objects.filter(status=JobStatus.RETRYING).count()
            failed = Job.objects.filter(status=JobStatus.FAILED).count()
            self.stdout.write(
                f"opened {report.opened} jobs, ran {report.ran} tasks; "
                f"{waiting} jobs waiting to retry, {failed} failed"
            )
            return
        WorkerProcess(worker_id=worker_id, interval=options["interval"]).run()
