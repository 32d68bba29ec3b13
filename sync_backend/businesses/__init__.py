"""Businesses and their tiers (head office admin)."""
