"""What the backend tells its operators: Prometheus metrics and log configuration.

Infrastructure, not a domain: every domain records into it, and it imports no domain, so
metrics and logs can be read (and changed) without learning how a push or a fraud check works.
"""
