"""Alembic migrations of the kiosk's local store, shipped inside the package.

They run programmatically when a store is opened (:mod:`app.core.store.migrate`); there is no
``alembic.ini``. A schema change is a new file in ``versions/`` whose ``down_revision`` is the
current head, written with ``op`` calls (never ``metadata.create_all``) and mirrored in
``schema.py``; ``tests/core/store/test_migrations.py`` checks that the two agree.

Alembic reads the revision files from disk, so a frozen build must ship this folder as data
files including the ``.py`` files (PyInstaller:
``collect_data_files("app.core.store.migrations", include_py_files=True)``).
"""
