"""Posting in the core: the ledger's vocabulary and sign rules (:mod:`.entries`), matching 835
service lines to our claim lines (:mod:`.match`), what each CAS adjustment does
(:mod:`.classify`), the plan for posting one claim payment (:mod:`.plan`) and provider-level
adjustments (:mod:`.plb`). Pure functions over dataclasses; the app persists the results."""
