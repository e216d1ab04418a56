from __future__ import annotations

import hashlib

import pytest
from cryptography.fernet import Fernet

from flows.privacy import ShreddedError, Vault


def test_pseudonym_is_stable_keyed_and_not_the_number() -> None:
    key = Fernet.generate_key().decode()
    first, again = Vault(keys=[key]), Vault(keys=[key])
    other = Vault(keys=[Fernet.generate_key().decode()])
    pseudonym = first.pseudonyms("sms", "+15551234567")[0]
    assert pseudonym == again.pseudonyms("sms", "+15551234567")[0]
    assert pseudonym != other.pseudonyms("sms", "+15551234567")[0]
    assert pseudonym != first.pseudonyms("slack", "+15551234567")[0]
    assert "5551234567" not in pseudonym and len(pseudonym) == 64


def test_rotation_keeps_old_data_readable_and_rewraps_under_the_new_key() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = Vault(keys=[old])
    wrapped = before.new_wrapped_key()
    token = before.encrypt(wrapped, "+15551234567")
    after = Vault(keys=[new, old])
    assert after.decrypt(wrapped, token) == "+15551234567"
    assert after.pseudonyms("sms", "x")[1] == before.pseudonyms("sms", "x")[0]
    rewrapped = after.rewrap(wrapped)
    assert Vault(keys=[new]).decrypt(rewrapped, token) == "+15551234567"


def test_shredded_key_makes_tokens_unreadable() -> None:
    vault = Vault(keys=[Fernet.generate_key().decode()])
    wrapped = vault.new_wrapped_key()
    token = vault.encrypt(wrapped, "secret story")
    with pytest.raises(ShreddedError):
        vault.decrypt(None, token)
    with pytest.raises(ShreddedError):
        vault.decrypt(vault.new_wrapped_key(), token)  # another contact's key cannot read it


def test_sealed_text_is_readable_under_any_master_key_and_not_in_the_clear() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = Vault(keys=[old]).seal("the lift is broken again")
    assert "lift" not in token
    assert Vault(keys=[new, old]).unseal(token) == "the lift is broken again"
    with pytest.raises(ShreddedError):
        Vault(keys=[new]).unseal(token)  # the key it was sealed under is gone
    with pytest.raises(ShreddedError):
        Vault(keys=[new]).unseal("not a token")


def test_text_key_is_stable_keyed_by_the_newest_key_and_separates_contexts() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    vault = Vault(keys=[new, old])
    key = vault.text_key("no heating", context="analyse")
    assert key == Vault(keys=[new]).text_key("no heating", context="analyse")  # any process
    assert key != Vault(keys=[old]).text_key("no heating", context="analyse")
    assert key != vault.text_key("no heating", context="screen")
    assert key != vault.text_key("no heating!", context="analyse")
    # Neither a plain hash of the words nor the pseudonym key under another name.
    assert key != hashlib.sha256(b"analyse\x00no heating").hexdigest()
    assert key not in vault.pseudonyms("analyse", "no heating")
    assert len(key) == 64 and int(key, 16) >= 0
    with pytest.raises(ValueError):
        vault.text_key("x", context="a\x00b")
