"""Fixtures of the reporting tests: the worked book (test_report_cli) and what the monthly
report's tests add to it (tests/apps/reporting/monthly_book.py)."""

from tests.apps.reporting.monthly_book import monthly_book, smtp  # noqa: F401
from tests.apps.reporting.test_report_cli import book  # noqa: F401
