"""Logging filters that keep PHI out of the logs whatever the level.

Django's template engine logs every variable a template looks up and does not find, at DEBUG,
with the exception attached; that exception's text is the whole template context, which holds
the patient on the page (names, dates of birth, member ids). `NoTemplateContext` keeps the
message (the variable and template names) and drops the exception. It is a logger filter
(settings.LOGGING), so it applies before any handler, even when the level is lowered to DEBUG.
"""

from __future__ import annotations

import logging


class NoTemplateContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info or record.exc_text:
            record.exc_info = None
            record.exc_text = None
        return True
