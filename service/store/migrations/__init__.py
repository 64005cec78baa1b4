"""Alembic migrations for the store (run by :func:`service.store.database.migrate`)."""
