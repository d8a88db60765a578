"""A fresh, empty database for a benchmark run: a SQLite file, or a PostgreSQL database dropped and
recreated on 127.0.0.1:5432 (user postgres, trust auth)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def fresh_database(backend: str, sqlite_file: Path, pg_name: str) -> str:
    """The SQLAlchemy URL of an empty database; `pg_name` is dropped (WITH FORCE) and recreated."""
    if backend == "sqlite":
        return f"sqlite:///{sqlite_file}"
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{pg_name}"'))
    admin.dispose()
    return f"{PG_SERVER}/{pg_name}"
