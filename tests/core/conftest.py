"""Tests of the pure core: no database, no Django models.

pytest-django refuses database access unless a test asks for it; these tests never do.
Hypothesis profiles: ``default`` for local runs, ``ci`` (more examples, derandomized so a CI
failure reproduces) selected with ``HYPOTHESIS_PROFILE=ci``.
"""

import os

from hypothesis import settings

settings.register_profile("default", max_examples=100)
settings.register_profile("ci", max_examples=300, derandomize=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
