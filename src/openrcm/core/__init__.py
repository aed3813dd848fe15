"""The pure domain core: X12, money, claims, scrubbing, posting, aging, KPIs. Imports no Django."""
