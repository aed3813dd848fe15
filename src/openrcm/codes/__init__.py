"""Code sets in the database: the official files a billing team loads under its own licenses.

NCCI PTP edits and MUE limits, the complete HCPCS Level II file, CARC/RARC lists, and a
practice's own CPT list (code and the practice's own short description: OpenRCM never ships
CPT content). `openrcm codes import KIND FILE...` loads them (all or nothing);
`openrcm.codes.loaders` turns the rows into the core's lookups, cached per process.
"""
