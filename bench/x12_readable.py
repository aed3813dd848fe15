"""How long the web's X12 viewer takes to describe one page of a large 837P.

    .venv/bin/python bench/x12_readable.py [CLAIMS]

Builds a synthetic 837P of CLAIMS claims (default 5000; about 17 segments each) in memory and
prints, in CPU seconds: the tokenizer alone over the whole file, the first page (500 segments:
loops tracked to the page's end, the rest only counted) and the last page (loops tracked over
the whole file).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.core.x12.test_readable import CLAIM_837P  # noqa: E402

from openrcm.core.x12.readable import readable  # noqa: E402
from openrcm.core.x12.tokenizer import iter_segments  # noqa: E402


def big_837p(claims: int) -> bytes:
    head, rest = CLAIM_837P.decode().split("HL*2*1*22*0~", 1)
    body, tail = rest.split("SE*", 1)
    loops = "".join(f"HL*{n + 2}*1*22*0~{body}" for n in range(claims))
    return f"{head}{loops}SE*{tail}".encode("ascii")


def cpu(action: object) -> tuple[float, object]:
    start = time.process_time()
    result = action()  # type: ignore[operator]
    return time.process_time() - start, result


def main() -> None:
    claims = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    data = big_837p(claims)
    took, count = cpu(lambda: sum(1 for _ in iter_segments(data, strict=False)))
    print(f"{claims} claims, {len(data) / 1e6:.1f} MB, {count} segments")
    print(f"tokenizer alone: {took:.2f} s CPU")
    took, first = cpu(lambda: readable(data))
    print(f"first page (500 segments): {took:.2f} s CPU")
    took, _ = cpu(lambda: readable(data, start=first.total - 500))  # type: ignore[attr-defined]
    print(f"last page: {took:.2f} s CPU")


if __name__ == "__main__":
    main()
