"""File store fixtures: a fresh data directory and known keys for every test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openrcm.core.files.sealed import generate_key

ISA = (
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       "
    "*261001*1200*^*00501*000000001*0*T*:~"
)
X12_835 = (
    ISA + "GS*HP*SUBMITTER*RECEIVER*20261001*1200*1*X*005010X221A1~ST*835*0001~SE*2*0001~"
    "GE*1*1~IEA*1*000000001~"
).encode()
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

KEY_2026 = generate_key()
KEY_2027 = generate_key()


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.OPENRCM_DATA_DIR = tmp_path / "data"
    settings.OPENRCM_FILE_KEYS = f"k2026:{KEY_2026}"
    return tmp_path / "data"


def blob_of(data_dir: Path, stored: Any) -> Path:
    return data_dir / stored.relative_path
