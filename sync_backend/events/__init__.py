"""The append-only event log of what head office, devices and the backend did."""
