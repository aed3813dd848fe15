"""The synthetic demo book of business: `demo_load` and what it reports."""

from openrcm.operations.demo.loader import (
    DEFAULT_CYCLE_DAYS,
    DEFAULT_ENCOUNTERS,
    DEFAULT_PATIENTS,
    DEFAULT_PRACTICES,
    DEFAULT_SEED,
    DemoRefused,
    DemoResult,
    demo_check,
    demo_load,
)

__all__ = [
    "DEFAULT_CYCLE_DAYS",
    "DEFAULT_ENCOUNTERS",
    "DEFAULT_PATIENTS",
    "DEFAULT_PRACTICES",
    "DEFAULT_SEED",
    "DemoRefused",
    "DemoResult",
    "demo_check",
    "demo_load",
]
