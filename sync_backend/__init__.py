"""Pika Counter sync backend: head office's FastAPI service on Postgres.

Organised by domain (polar's layout): each package under ``sync_backend`` has ``endpoints.py``
(routes), ``service.py`` (rules), ``repository.py`` (every query) and ``schemas.py`` (admin API
shapes). The kiosk-facing wire schemas live in ``pika_protocol.sync_wire`` because both sides import
them.
"""
