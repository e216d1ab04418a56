"""Schema migrations (Alembic), run by `cpps db upgrade` and the Procfile's release phase."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def make_revision(database_url: str, message: str) -> None:
    """For maintainers: autogenerate a migration from the models (`cpps db revision`)."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
