"""Head office's database backups: ``pika-backend backup`` and ``pika-backend restore FILE``.

pg_dump's custom format (compressed, restorable table by table) beside a sha256 file; see
README "Backups" for the files, the retention rule and the signing-key secret, which is not in
the database and must be kept apart from these files.
"""
