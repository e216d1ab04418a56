"""Fixtures for the engine tests: the shipped flow and catalogues, and a scripted resident."""

from __future__ import annotations

import pytest

from flows.conversation.catalog import Catalog, load_catalog
from flows.conversation.flowdef import Flow, load_flow
from tests.flows.resident import Resident


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def flow(catalog: Catalog) -> Flow:
    return load_flow(catalog=catalog)


@pytest.fixture
def resident(flow: Flow, catalog: Catalog) -> Resident:
    return Resident(flow=flow, catalog=catalog)
