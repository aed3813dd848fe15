"""Web UI routes. Object ids in paths are opaque; patient names and search terms never are."""

from django.urls import path

from openrcm.web import (
    dashboard_views,
    jobs_views,
    monthly_report_views,
    paper_views,
    posting_views,
    reconciliation_views,
    scrub_views,
    submission_views,
    views,
)

urlpatterns = [
    path("", views.home, name="home"),
    # the KPI dashboard (openrcm.web.dashboard_views): a practice's, across practices, drill-down
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/practices/", dashboard_views.dashboard_practices, name="dashboard_practices"),
    path("dashboard/claims/", dashboard_views.dashboard_drill, name="dashboard_drill"),
    # the monthly practice reports (openrcm.web.monthly_report_views): list, PDF download
    path("reports/monthly/", monthly_report_views.monthly_report_list, name="monthly_reports"),
    path(
        "reports/monthly/<int:pk>/download/",
        monthly_report_views.monthly_report_download,
        name="monthly_report_download",
    ),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("practice/", views.practice_switch, name="practice_switch"),
    path("patients/", views.patient_list_view, name="patient_list"),
    path("patients/new/", views.patient_new, name="patient_new"),
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/coverages/new/", views.coverage_new, name="coverage_new"),
    path("encounters/", views.encounter_list_view, name="encounter_list"),
    path("encounters/new/", views.encounter_new, name="encounter_new"),
    path("encounters/new/patient/", views.encounter_find_patient, name="encounter_find_patient"),
    path("encounters/new/line/", views.encounter_line_row, name="encounter_line_row"),
    path("encounters/new/totals/", views.encounter_totals, name="encounter_totals"),
    path("encounters/codes/diagnoses/", views.diagnosis_hints, name="diagnosis_hints"),
    path("encounters/codes/procedures/", views.procedure_hints, name="procedure_hints"),
    path("encounters/new/findings/", scrub_views.encounter_findings, name="encounter_findings"),
    path("encounters/<int:pk>/", views.encounter_detail, name="encounter_detail"),
    path("claims/", views.claim_list_view, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/cms1500.pdf", paper_views.claim_cms1500, name="claim_cms1500"),
    # the scrubber: held queue, a claim's findings (scrub now, overrides), payer rules (admins)
    path("claims/held/", scrub_views.held_queue, name="held_queue"),
    path("claims/<int:pk>/scrub/", scrub_views.claim_scrub_view, name="claim_scrub"),
    path("claims/<int:pk>/override/", scrub_views.claim_override_view, name="claim_override"),
    path("payer-rules/", scrub_views.payer_rule_list_view, name="payer_rule_list"),
    path("payer-rules/new/", scrub_views.payer_rule_new, name="payer_rule_new"),
    path("payer-rules/<int:pk>/", scrub_views.payer_rule_edit, name="payer_rule_edit"),
    # submission: the ready queue ("Submit now"), batches, inbound files, X12 files, rejections
    path("claims/ready/", submission_views.submission_queue_view, name="submission_queue"),
    path("claims/ready/submit/", submission_views.batch_submit, name="batch_submit"),
    path("claims/rejected/", submission_views.rejection_list_view, name="rejection_list"),
    path("claims/<int:pk>/resend/", submission_views.claim_resend, name="claim_resend"),
    path("claims/<int:pk>/correct/", submission_views.claim_correct, name="claim_correct"),
    path("batches/", submission_views.batch_list_view, name="batch_list"),
    path("batches/<int:pk>/", submission_views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/send/", submission_views.batch_send_view, name="batch_send"),
    path("inbound/", submission_views.inbound_list_view, name="inbound_list"),
    path("x12/<int:pk>/", submission_views.x12_file_view, name="x12_file"),
    path("x12/<int:pk>/download/", submission_views.x12_file_download, name="x12_download"),
    # the worker's jobs (openrcm.web.jobs_views)
    path("jobs/", jobs_views.job_list_view, name="job_list"),
    path("jobs/<int:pk>/retry/", jobs_views.job_retry, name="job_retry"),
    # payment posting (openrcm.web.posting_views): ERAs, exceptions, denials, a claim's ledger
    path("payments/eras/", posting_views.era_list_view, name="era_list"),
    path("payments/eras/upload/", posting_views.era_upload, name="era_upload"),
    path("payments/eras/<int:pk>/", posting_views.era_detail, name="era_detail"),
    path("payments/exceptions/", posting_views.exception_list_view, name="posting_exceptions"),
    path("payments/exceptions/<int:pk>/", posting_views.exception_detail, name="posting_exception"),
    path(
        "payments/exceptions/<int:pk>/search/",
        posting_views.exception_search,
        name="posting_exception_search",
    ),
    path(
        "payments/exceptions/<int:pk>/match/",
        posting_views.exception_match,
        name="posting_exception_match",
    ),
    path("denials/", posting_views.denial_list_view, name="denial_list"),
    path("denials/<int:pk>/work/", posting_views.denial_work_view, name="denial_work"),
    path("claims/<int:pk>/ledger/", posting_views.claim_ledger_view, name="claim_ledger"),
    path(
        "claims/<int:pk>/ledger/payment/",
        posting_views.claim_patient_payment,
        name="claim_patient_payment",
    ),
    # deposit reconciliation (openrcm.web.reconciliation_views)
    path("reconciliation/", reconciliation_views.reconciliation_view, name="reconciliation"),
    path("reconciliation/deposits/new/", reconciliation_views.deposit_new, name="deposit_new"),
    path(
        "reconciliation/deposits/import/",
        reconciliation_views.deposit_import,
        name="deposit_import",
    ),
    path("reconciliation/match/", reconciliation_views.deposits_match_view, name="deposits_match"),
    path(
        "reconciliation/deposits/<int:pk>/match/",
        reconciliation_views.deposit_match,
        name="deposit_match",
    ),
    path(
        "reconciliation/deposits/<int:pk>/unmatch/",
        reconciliation_views.deposit_unmatch_view,
        name="deposit_unmatch",
    ),
]
