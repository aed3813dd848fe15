"""The claim scrubber on the database's claims: findings, overrides, payer rules as data, the
held queue and the clean claim rate. The rules themselves are the core's (`openrcm.core.scrub`).
"""
