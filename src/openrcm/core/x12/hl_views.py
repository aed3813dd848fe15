"""CLI views (``openrcm x12 parse --json/--summary`` and ``x12 show``) of the HL-structured sets:
277CA (X214), 270/271 (X279A1), 276/277 (X212). Imported by :mod:`.cli_views` as a plugin; it
registers each set's reader, its JSON and summary, and its loops (from the readers' grammars)
and loop and segment names with :mod:`.names`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, Final

from openrcm.core.x12 import ack277ca, claim_status, eligibility, names
from openrcm.core.x12.cli_views import Reader, SetView, register_view, to_jsonable
from openrcm.core.x12.hierarchy import (
    HierarchySpec,
    Status,
    loop_depths,
    loop_names,
    loop_tracker,
    segment_names,
)
from openrcm.core.x12.segments import Segment

ZERO: Final = Decimal(0)


def _money(values: Iterable[Decimal | None]) -> str:
    return format(sum((v for v in values if v is not None), ZERO), "f")


def _tracker(spec: HierarchySpec) -> Callable[[], Callable[[Segment], str]]:
    return lambda: loop_tracker(spec)


def _depth(spec: HierarchySpec) -> Callable[[str], int]:
    depths = loop_depths(spec)
    return lambda loop: depths.get(loop, 0)


def _json(set_id: str) -> Callable[[Any], dict[str, Any]]:
    def convert(item: Any) -> dict[str, Any]:
        data: dict[str, Any] = to_jsonable(item)
        return {"transaction_set": set_id, **data}

    return convert


def _charge(statuses: list[Status]) -> Decimal | None:
    return statuses[0].charge_amount if statuses else None


# -- 277CA --------------------------------------------------------------------------------


def ack277ca_to_json(ack: ack277ca.ClaimAcknowledgment) -> dict[str, Any]:
    """One 277CA set as plain data, with each claim's verdict spelled out."""
    data = _json("277CA")(ack)
    data["claims"] = [
        {
            "patient_control_number": claim.patient_control_number,
            "payer_claim_control_number": claim.payer_claim_control_number,
            "billing_provider": prov.provider.identifier,
            "patient": pat.patient.display_name,
            "categories": claim.categories,
            "accepted": claim.accepted,
            "rejected": claim.rejected,
            "total_charge": to_jsonable(claim.total_charge),
        }
        for prov, pat, claim in ack.claims()
    ]
    return data


def ack277ca_summary(ack: ack277ca.ClaimAcknowledgment) -> dict[str, Any]:
    """Counts and totals of one 277CA set."""
    claims = [c for _, _, c in ack.claims()]
    return {
        "transaction_set": "277CA",
        "control_number": ack.control_number,
        "claims": len(claims),
        "lines": sum(len(c.lines) for c in claims),
        "accepted": sum(1 for c in claims if c.accepted),
        "rejected": sum(1 for c in claims if c.rejected),
        "rejected_claims": [c.patient_control_number for c in claims if c.rejected],
        "total_charge": _money(c.total_charge for c in claims),
    }


# -- 276 / 277 ----------------------------------------------------------------------------


def claim_request_summary(req: claim_status.ClaimStatusRequest) -> dict[str, Any]:
    claims = list(req.claims())
    return {
        "transaction_set": "276",
        "control_number": req.control_number,
        "claims": len(claims),
        "lines": sum(len(c.lines) for c in claims),
        "total_charge": _money(c.total_charge for c in claims),
    }


def claim_response_summary(resp: claim_status.ClaimStatusResponse) -> dict[str, Any]:
    claims = list(resp.claims())
    by_category: dict[str, int] = {}
    for c in claims:
        for cat in dict.fromkeys(c.categories):
            by_category[cat] = by_category.get(cat, 0) + 1
    return {
        "transaction_set": "277",
        "control_number": resp.control_number,
        "claims": len(claims),
        "lines": sum(len(c.lines) for c in claims),
        "finalized": sum(1 for c in claims if c.finalized),
        "pending": sum(1 for c in claims if c.pending),
        "claims_by_category": dict(sorted(by_category.items())),
        "total_charge": _money(_charge(c.statuses) for c in claims),
        "total_paid": _money(c.statuses[0].payment_amount if c.statuses else None for c in claims),
    }


# -- 270 / 271 ----------------------------------------------------------------------------


def inquiry_summary(inq: eligibility.EligibilityInquiry) -> dict[str, Any]:
    subs = list(inq.subscribers())
    return {
        "transaction_set": "270",
        "control_number": inq.control_number,
        "version": inq.version,
        "subscribers": len(subs),
        "dependents": sum(len(s.dependents) for s in subs),
        "inquiries": sum(
            len(s.inquiries) + sum(len(d.inquiries) for d in s.dependents) for s in subs
        ),
    }


def response_summary(resp: eligibility.EligibilityResponse) -> dict[str, Any]:
    subs = list(resp.subscribers())
    benefits = [b for s in subs for b in s.benefits] + [
        b for s in subs for d in s.dependents for b in d.benefits
    ]
    return {
        "transaction_set": "271",
        "control_number": resp.control_number,
        "version": resp.version,
        "subscribers": len(subs),
        "dependents": sum(len(s.dependents) for s in subs),
        "benefits": len(benefits),
        "active_coverage": sum(1 for b in benefits if b.active),
        "inactive_coverage": sum(1 for b in benefits if b.inactive),
        "rejections": [
            {"reject_reason": v.reject_reason, "follow_up_action": v.follow_up_action}
            for v in resp.rejections()
        ],
    }


# -- registration -------------------------------------------------------------------------

_Convert = Callable[[Any], dict[str, Any]]
_SETS: Final[
    tuple[tuple[str, str, Reader, _Convert, _Convert, frozenset[str], HierarchySpec], ...]
] = (
    (
        "277",
        "277CA Health Care Claim Acknowledgment (005010X214)",
        ack277ca.read_277ca,
        ack277ca_to_json,
        ack277ca_summary,
        frozenset({ack277ca.GUIDE}),
        ack277ca.SPEC,
    ),
    (
        "277",
        "277 Health Care Claim Status Response (005010X212)",
        claim_status.read_277,
        _json("277"),
        claim_response_summary,
        frozenset({claim_status.GUIDE}),
        claim_status.SPEC_277,
    ),
    (
        "276",
        "276 Health Care Claim Status Request (005010X212)",
        claim_status.read_276,
        _json("276"),
        claim_request_summary,
        frozenset(),
        claim_status.SPEC_276,
    ),
    (
        "270",
        "270 Eligibility, Coverage or Benefit Inquiry (005010X279A1)",
        eligibility.read_270,
        _json("270"),
        inquiry_summary,
        frozenset(),
        eligibility.SPEC_270,
    ),
    (
        "271",
        "271 Eligibility, Coverage or Benefit Information (005010X279A1)",
        eligibility.read_271,
        _json("271"),
        response_summary,
        frozenset(),
        eligibility.SPEC_271,
    ),
)


def register_hl_views() -> None:
    """Register the views and the names of the five sets (idempotent)."""
    for set_id, title, read, to_json, summary, versions, spec in _SETS:
        register_view(
            SetView(
                set_id,
                title,
                read,
                to_json=to_json,
                summary=summary,
                versions=versions,
                loops=_tracker(spec),
                depth=_depth(spec),
            )
        )
        names.register(set_id, loops=loop_names(spec), segments=segment_names(spec))


register_hl_views()
