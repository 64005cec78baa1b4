"""Alembic migrations for the store (run by :func:`service.store.database.migrate`)."""

#: The newest migration's revision id (``versions/``): a store whose ``alembic_version``
#: says so needs no migration, and is opened without importing Alembic. A test checks it
#: against Alembic's own head; adding a migration means changing it.
HEAD_REVISION = "0001"
