"""The audit trail: append-only, hash-chained events for every PHI access and security event.

Write with `openrcm.audit.services.audit_record(...)`; read with `openrcm.audit.selectors`;
check the chain with `openrcm audit verify`.
"""
