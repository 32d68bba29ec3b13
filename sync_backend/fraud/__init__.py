"""Fraud checks over pushed scans: flags with evidence and a review list."""
