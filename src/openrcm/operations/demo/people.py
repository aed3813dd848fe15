"""Synthetic identifiers for the demo: NPIs, TINs, member ids shaped like each payer's, phones."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Final

from openrcm.core.identifiers import make_npi

# Medicare Beneficiary Identifier: letters exclude S, L, O, I, B, Z (CMS MBI format).
_MBI_ALPHA: Final = "ACDEFGHJKMNPQRTUVWXY"
_DIGITS: Final = "0123456789"


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_DIGITS) for _ in range(n))


def npi(rng: random.Random, taken: set[str]) -> str:
    """A new NPI (10 digits, valid check digit, starting with 1 like real ones)."""
    while True:
        value = make_npi("1" + digits(rng, 8))
        if value not in taken:
            taken.add(value)
            return value


def ein(rng: random.Random, prefix: str) -> str:
    return prefix + str(rng.randint(1000000, 9999999))


def mbi(rng: random.Random) -> str:
    """A Medicare Beneficiary Identifier: C A AN N A AN N A A N N."""
    alnum = _MBI_ALPHA + _DIGITS
    parts = [
        rng.choice("123456789"),
        rng.choice(_MBI_ALPHA),
        rng.choice(alnum),
        rng.choice(_DIGITS),
        rng.choice(_MBI_ALPHA),
        rng.choice(alnum),
        rng.choice(_DIGITS),
        rng.choice(_MBI_ALPHA),
        rng.choice(_MBI_ALPHA),
        rng.choice(_DIGITS),
        rng.choice(_DIGITS),
    ]
    return "".join(parts)


def member_id(rng: random.Random, payer_key: str) -> str:
    """A member id shaped like the payer's cards."""
    if payer_key == "medicare":
        return mbi(rng)
    if payer_key in {"medicaid", "wellcare"}:
        return digits(rng, 10)  # Kentucky Medicaid ids are 10 digits; its MCOs use them too
    if payer_key == "anthem":
        return rng.choice(["YRK", "KYB", "ZGP", "XKY"]) + digits(rng, 9)
    if payer_key == "aetna":
        return "W" + digits(rng, 9)
    if payer_key == "uhc":
        return digits(rng, 9)
    if payer_key == "cigna":
        return "U" + digits(rng, 8) + "01"
    if payer_key == "humana_ma":
        return "H" + digits(rng, 8)
    return digits(rng, 9) + "1"  # Medicare supplement


PLAN_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "medicare": ("Medicare Part B",),
    "medicaid": ("Kentucky Medicaid",),
    "wellcare": ("WellCare of Kentucky Medicaid",),
    "anthem": ("Blue Access PPO", "Blue Preferred PPO", "Anthem HealthKeepers"),
    "aetna": ("Aetna Choice POS II", "Aetna Open Access Managed Choice"),
    "uhc": ("UHC Choice Plus", "UHC Navigate"),
    "cigna": ("Cigna Open Access Plus", "Cigna LocalPlus"),
    "humana_ma": ("Humana Gold Plus HMO",),
    "medigap": ("Medicare Supplement Plan G", "Medicare Supplement Plan N"),
}


def group_pool(rng: random.Random, payer_key: str, size: int = 8) -> list[str]:
    """Employer group numbers of a commercial payer: patients of one employer share them."""
    if payer_key == "anthem":
        return [f"{digits(rng, 6)}M{digits(rng, 3)}" for _ in range(size)]
    if payer_key == "aetna":
        return [f"0{digits(rng, 6)}-{digits(rng, 3)}-{digits(rng, 5)}" for _ in range(size)]
    if payer_key == "uhc":
        return [f"7{digits(rng, 5)}" for _ in range(size)]
    if payer_key == "cigna":
        return [f"3{digits(rng, 6)}" for _ in range(size)]
    return []


def phone(rng: random.Random, area_code: str) -> str:
    """A number in the 555-0100..0199 range, which is reserved for fiction."""
    return f"{area_code}55501{digits(rng, 2)}"


def zip_plus4(rng: random.Random, zip5: str) -> str:
    return f"{zip5}{rng.randint(1001, 9899):04d}"


def street_address(rng: random.Random, streets: tuple[str, ...]) -> str:
    return f"{rng.randint(100, 9899)} {rng.choice(streets)}"


def email(rng: random.Random, first: str, last: str) -> str:
    local = re.sub(r"[^a-z0-9.]", "", f"{first}.{last}".lower())
    domain = rng.choice(["example.com", "example.net", "example.org"])
    return f"{local}{rng.randint(1, 99)}@{domain}"


def birth_date(rng: random.Random, today: dt.date, age: int, *, min_days: int = 0) -> dt.date:
    """A date of birth giving `age` whole years on `today` (at least `min_days` old)."""
    latest = _years_before(today, age)
    earliest = _years_before(today, age + 1) + dt.timedelta(days=1)
    span = (latest - earliest).days
    day = earliest + dt.timedelta(days=rng.randint(0, span))
    if (today - day).days < min_days:
        day = today - dt.timedelta(days=min_days + rng.randint(0, 60))
    return day


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def medicare_start(dob: dt.date) -> dt.date:
    """Part B starts in the month of the 65th birthday (a month earlier for a 1st)."""
    at_65 = _years_before(dob, -65)
    start = at_65.replace(day=1)
    if dob.day == 1:
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start


def age_years(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
