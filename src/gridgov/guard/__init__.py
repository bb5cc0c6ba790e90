"""Hardening shared by every domain: bounded input, rate limits, spreadsheet cells made
inert, personal numbers found in free text (ADR 0012)."""
