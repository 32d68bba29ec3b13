"""Revision files (this ``__init__`` only makes them ship as package data)."""
