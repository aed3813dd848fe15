"""Web: a claim's CMS-1500 (02/12) as a PDF download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record
from openrcm.claims.paper import claim_cms1500_pdf
from openrcm.claims.selectors import claim_get
from openrcm.core.claims.cms1500_pdf import Mode


@never_cache
@login_required
@require_GET
def claim_cms1500(request: HttpRequest, pk: int) -> HttpResponse:
    """`?mode=data` prints the values only (for the red pre-printed form); else the full form."""
    claim = claim_get(user=request.user, pk=pk)  # another practice's claim: 404
    mode: Mode = "data" if request.GET.get("mode") == "data" else "form"
    pdf = claim_cms1500_pdf(claim=claim, mode=mode)
    audit_record(
        action=AuditAction.EXPORT,
        target=claim,
        request=request,
        detail={"format": "cms1500", "mode": mode},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"cms1500-{claim.patient_control_number}{'-data' if mode == 'data' else ''}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
