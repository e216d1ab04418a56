"""Who may take part in a decision on a report: the parties a destination of the city file lists
(council members, a police liaison, the agency). A decision stores their keys; the public reads
their names, so a key must name the same party in every destination that lists it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator

# A party's key: stored with decisions and published in open data, so kept plain.
PARTY_ID = re.compile(r"\A[a-z0-9][a-z0-9-]{0,47}\Z")


class Party(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    # The name in other languages, e.g. names.es = "Miembros del consejo".
    names: dict[str, str] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _plain_id(cls, value: str) -> str:
        if not PARTY_ID.match(value):
            raise ValueError(f"party id {value!r}: use lowercase letters, digits and dashes")
        return value

    def name_in(self, language: str) -> str:
        return self.names.get(language, self.name)


def unique_parties(parties: list[Party]) -> list[Party]:
    """`parties` when no key is listed twice (one destination's list)."""
    ids = [party.id for party in parties]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"parties listed twice: {duplicated}")
    return parties


def party_clash(lists: Sequence[Sequence[Party]]) -> tuple[int, str] | None:
    """(index of the list, key) of the first party named differently than where its key was
    first listed; None when every key reads the same everywhere."""
    seen: dict[str, Party] = {}
    for index, parties in enumerate(lists):
        for party in parties:
            if seen.setdefault(party.id, party) != party:
                return index, party.id
    return None
