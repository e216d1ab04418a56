"""Every setting the service reads from its environment (and an optional `.env`), in one place.

Nothing else in the code reads `os.environ`: the settings object is built once at the edge (CLI,
ASGI factory) and its values are passed in to everything else.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # "development" allows generated local keys and console stand-ins; "production" refuses to
    # start without every secret. An embedded default (SQLite) is development unless told otherwise.
    cpps_env: Literal["development", "production"] = "development"
    cpps_data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    public_base_url: str = "http://127.0.0.1:8000"

    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base_url: str = ""
    # How long an outbound text is retried through provider errors and outages (hours).
    outbox_retry_hours: float = Field(default=24.0, gt=0)

    slack_bot_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_api_url: str = ""

    # Comma-separated, newest first. Each key is a Fernet key (urlsafe base64 of 32 bytes).
    cpps_secret_keys: SecretStr = SecretStr("")
    cpps_city_config: Path | None = None
    cpps_timezone: str = ""
    # Local development only: accept unsigned Twilio webhooks. Refused in production.
    cpps_insecure_skip_twilio_signature: bool = False
    cpps_log_level: str = "INFO"
    # Threads for the MiniLM encoder (torch); 0 lets `nlp.runtime.encoders` choose.
    cpps_nlp_threads: int = Field(default=0, ge=0)
    # How long filing a report waits for the worker's analysis before it files without it
    # (the destination then follows by text): seconds.
    cpps_filing_wait_seconds: float = Field(default=0.5, ge=0, le=10)

    @field_validator("public_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def is_production(self) -> bool:
        return self.cpps_env == "production"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.cpps_data_dir / 'cpps.db').as_posix()}"

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token.get_secret_value())


class MissingSecretsError(RuntimeError):
    """Production settings without the secrets the service needs; the message names them."""


@dataclass(frozen=True)
class Secrets:
    """The secrets the running service uses, resolved once at start-up."""

    keys: tuple[str, ...]
    twilio_auth_token: str
    slack_signing_secret: str
    generated: bool = False


def resolve_secrets(settings: Settings) -> Secrets:
    """Secrets from the environment; in development, missing ones come from a local file."""
    keys = tuple(
        k.strip() for k in settings.cpps_secret_keys.get_secret_value().split(",") if k.strip()
    )
    twilio_token = settings.twilio_auth_token.get_secret_value()
    slack_secret = settings.slack_signing_secret.get_secret_value()
    if settings.is_production:
        missing = [
            name
            for name, value in (
                ("CPPS_SECRET_KEYS", keys),
                ("DATABASE_URL", settings.database_url),
                ("PUBLIC_BASE_URL", settings.public_base_url.startswith("https://")),
                ("TWILIO_ACCOUNT_SID", settings.twilio_account_sid),
                ("TWILIO_AUTH_TOKEN", twilio_token),
                (
                    "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID",
                    settings.twilio_from_number or settings.twilio_messaging_service_sid,
                ),
                ("SLACK_BOT_TOKEN", settings.slack_bot_token.get_secret_value()),
                ("SLACK_SIGNING_SECRET", slack_secret),
            )
            if not value
        ]
        if missing:
            raise MissingSecretsError(
                "refusing to start in production without: "
                + ", ".join(missing)
                + " (PUBLIC_BASE_URL must be an https:// URL)"
            )
        if settings.cpps_insecure_skip_twilio_signature:
            raise MissingSecretsError(
                "CPPS_INSECURE_SKIP_TWILIO_SIGNATURE is not allowed in production"
            )
        _check_keys(keys)
        return Secrets(keys=keys, twilio_auth_token=twilio_token, slack_signing_secret=slack_secret)
    generated = not keys or not twilio_token or not slack_secret
    if not generated:
        # Everything comes from the environment: the local file is not read (a damaged one
        # must not stop a correctly configured service).
        _check_keys(keys)
        return Secrets(keys=keys, twilio_auth_token=twilio_token, slack_signing_secret=slack_secret)
    local = _local_dev_secrets(settings.cpps_data_dir)
    log.warning(
        "development mode: using generated local keys from %s (never use them in production)",
        settings.cpps_data_dir / "dev-secrets.json",
    )
    keys = keys or (local["secret_key"],)
    _check_keys(keys)
    return Secrets(
        keys=keys,
        twilio_auth_token=twilio_token or local["twilio_auth_token"],
        slack_signing_secret=slack_secret or local["slack_signing_secret"],
        generated=generated,
    )


def _check_keys(keys: tuple[str, ...]) -> None:
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise MissingSecretsError(
                f"CPPS_SECRET_KEYS key #{position} is not a Fernet key "
                "(make one with: cpps keys new)"
            ) from None


_DEV_SECRET_NAMES = ("secret_key", "twilio_auth_token", "slack_signing_secret")


def _read_dev_secrets(path: Path) -> dict[str, str]:
    """The local file's values, or a clear error if it is damaged (e.g. left empty by a crash)."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        stored, reason = None, type(error).__name__
    else:
        reason = "missing values"
    if isinstance(stored, dict) and all(
        isinstance(stored.get(name), str) and stored[name] for name in _DEV_SECRET_NAMES
    ):
        return {name: stored[name] for name in _DEV_SECRET_NAMES}
    raise MissingSecretsError(
        f"{path} is damaged ({reason}). Set CPPS_SECRET_KEYS, TWILIO_AUTH_TOKEN and "
        "SLACK_SIGNING_SECRET in the environment, or move the file away to generate new "
        "development keys (data already encrypted with the old key can then not be read)."
    )


def _local_dev_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / "dev-secrets.json"
    if path.exists():
        return _read_dev_secrets(path)
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {
        "secret_key": Fernet.generate_key().decode(),
        "twilio_auth_token": secrets.token_hex(16),
        "slack_signing_secret": secrets.token_hex(16),
    }
    # Two web workers may start at once: the first file linked into place wins, and both use
    # it (different keys per worker would make each unable to read the other's reporters).
    draft = data_dir / f".dev-secrets.{os.getpid()}.{secrets.token_hex(4)}"
    # Written and synced before it is linked into place: a crash leaves either no file or a
    # whole one, never an empty file that would stop the next start.
    with draft.open("w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(json.dumps(values, indent=2))
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return _read_dev_secrets(path)
