"""Deposit reconciliation, pure: reading a bank's CSV export (`bank_csv`) and pairing deposits
with 835 remittances (`matching`). The app `openrcm.reconciliation` stores what these decide."""
