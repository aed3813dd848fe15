"""The batch, inbound-file and job lists never read a sandbox partner's state.

A sandbox partner keeps its simulated payer's state on its row (megabytes of JSON after the
demo's 60 days); lists that join their partner to every row carried it once per row, and the
files-received page took 5 s on the demo's 820 files. The lists defer it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from openrcm.clearinghouse.selectors import batch_list, inbound_list
from openrcm.schedules.selectors import job_list
from openrcm.tenancy.services import membership_grant
from tests.apps.conftest import PracticeWorld

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("selector", [batch_list, inbound_list, job_list])
def test_lists_do_not_read_the_sandbox_state(selector: object, practice_a: PracticeWorld) -> None:
    user = get_user_model().objects.create_user(username="lister", password="x" * 16)
    membership_grant(user=user, practice=practice_a.practice, role="admin")
    sql = str(selector(user=user).query)  # type: ignore[operator]
    assert '"clearinghouse_tradingpartner"."name"' in sql
    assert "sandbox_state" not in sql
