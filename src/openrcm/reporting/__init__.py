"""Reporting: feeds the core's KPI engine and A/R aging from the database (no models)."""
