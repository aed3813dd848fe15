"""OpenRCM: open-source revenue-cycle management for billing teams and the practices they serve."""

__version__ = "0.1.0"
