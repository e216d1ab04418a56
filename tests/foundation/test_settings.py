from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.settings import MissingSecretsError, Settings, resolve_secrets


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_production_without_secrets_refuses_and_names_them(tmp_path: Path) -> None:
    with pytest.raises(MissingSecretsError) as caught:
        resolve_secrets(_settings(cpps_env="production", cpps_data_dir=tmp_path))
    message = str(caught.value)
    for name in ("CPPS_SECRET_KEYS", "DATABASE_URL", "TWILIO_AUTH_TOKEN", "SLACK_SIGNING_SECRET"):
        assert name in message
    assert not (tmp_path / "dev-secrets.json").exists()  # production never invents keys


def test_production_refuses_the_insecure_switch(tmp_path: Path) -> None:
    complete = {
        "cpps_env": "production",
        "cpps_secret_keys": Fernet.generate_key().decode(),
        "database_url": "postgresql://db/cpps",
        "public_base_url": "https://cpps.example.org",
        "twilio_account_sid": "AC1",
        "twilio_auth_token": "t",
        "twilio_from_number": "+15550001111",
        "slack_bot_token": "xoxb-1",
        "slack_signing_secret": "s",
    }
    assert resolve_secrets(_settings(**complete)).keys
    with pytest.raises(MissingSecretsError):
        resolve_secrets(_settings(**complete, cpps_insecure_skip_twilio_signature=True))
    with pytest.raises(MissingSecretsError, match="PUBLIC_BASE_URL"):
        resolve_secrets(_settings(**{**complete, "public_base_url": "http://cpps.example.org"}))


def test_development_generates_keys_once_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = resolve_secrets(_settings(cpps_data_dir=tmp_path))
    again = resolve_secrets(_settings(cpps_data_dir=tmp_path))
    assert first.generated and first == again
    assert "generated local keys" in caplog.text
    Fernet(first.keys[0])  # a usable key


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", b"[1]", b'{"secret_key": ""}'])
def test_a_damaged_local_secrets_file(tmp_path: Path, content: bytes) -> None:
    """A crash can leave the file empty: with every secret in the environment the service
    starts without reading it; without them, the error names the file and what to do."""
    (tmp_path / "dev-secrets.json").write_bytes(content)
    from_environment = _settings(
        cpps_data_dir=tmp_path,
        cpps_secret_keys=Fernet.generate_key().decode(),
        twilio_auth_token="t",
        slack_signing_secret="s",
    )
    assert not resolve_secrets(from_environment).generated
    with pytest.raises(MissingSecretsError, match=r"dev-secrets\.json is damaged"):
        resolve_secrets(_settings(cpps_data_dir=tmp_path))


def test_a_malformed_key_is_named_by_position(tmp_path: Path) -> None:
    good = Fernet.generate_key().decode()
    with pytest.raises(MissingSecretsError, match="#2"):
        resolve_secrets(_settings(cpps_data_dir=tmp_path, cpps_secret_keys=f"{good},not-a-key"))


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://example/db")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://cpps.example.org/")
    settings = _settings()
    assert settings.effective_database_url == "postgresql://example/db"
    assert settings.public_base_url == "https://cpps.example.org"
