"""Storage, on SQLite and PostgreSQL (the `store` fixture runs each test on both)."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from flows.models import Conversation
from flows.store import Store

PHONE = "+15551234567"


def test_contact_is_found_again_by_pseudonym_and_address_only_encrypted(store: Store) -> None:
    first = store.contacts.get_or_create(channel="sms", address=PHONE)
    again = store.contacts.get_or_create(channel="sms", address=PHONE)
    other = store.contacts.get_or_create(channel="sms", address="+15557654321")
    assert first.id == again.id != other.id
    assert first.address_enc is not None and PHONE not in first.address_enc
    # The number is read back only to send: the outbox claims the message with it.
    with store.transaction() as session:
        store.outbox.enqueue(session=session, contact=first, body="hello", purpose="reply")
    [claimed] = store.outbox.claim_due(now=store.clock.now())
    assert claimed.address == PHONE


def test_concurrent_first_contact_creates_one_row(store: Store) -> None:
    ids: list[int | None] = []
    barrier = threading.Barrier(6)

    def create() -> None:
        barrier.wait()
        ids.append(store.contacts.get_or_create(channel="sms", address=PHONE).id)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 6 and len(set(ids)) == 1


def test_inbound_is_recorded_once_per_provider_id(store: Store) -> None:
    first = store.inbound.receive(
        channel="sms", address=PHONE, provider_id="SM1", body="hello", media_urls=[]
    )
    retry = store.inbound.receive(
        channel="sms", address=PHONE, provider_id="SM1", body="hello", media_urls=[]
    )
    assert first.created and not retry.created
    assert first.message.id == retry.message.id
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM inboundmessage")).scalar() == 1


def test_a_first_message_records_its_sender_and_itself_together(store: Store) -> None:
    first = store.inbound.receive(
        channel="sms", address=PHONE, provider_id="SM9", body="hello", media_urls=["https://x/1"]
    )
    retry = store.inbound.receive(
        channel="sms", address=PHONE, provider_id="SM9", body="hello", media_urls=["https://x/1"]
    )
    assert first.created and not retry.created
    assert first.message.id == retry.message.id and first.contact.id == retry.contact.id
    assert first.contact.id == store.contacts.get_or_create(channel="sms", address=PHONE).id
    stored = store.inbound.get(first.message.id or 0)
    assert stored is not None and stored.num_media == 1 and stored.state == "received"
    assert stored.body_enc is not None and "hello" not in stored.body_enc


def test_concurrent_first_messages_of_one_sender_make_one_contact(store: Store) -> None:
    results: list[tuple[int | None, int | None]] = []
    barrier = threading.Barrier(4)

    def receive(n: int) -> None:
        barrier.wait()
        got = store.inbound.receive(
            channel="sms", address=PHONE, provider_id=f"SMC{n}", body="hi", media_urls=[]
        )
        results.append((got.contact.id, got.message.id))

    threads = [threading.Thread(target=receive, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({contact for contact, _ in results}) == 1
    assert len({message for _, message in results}) == 4


def test_reads_go_ahead_while_a_write_is_in_progress(store: Store) -> None:
    contact = store.contacts.get_or_create(channel="sms", address=PHONE)
    writing, release = threading.Event(), threading.Event()

    def slow_write() -> None:
        with store.transaction() as session:
            now = store.clock.now()
            session.add(
                Conversation(contact_id=contact.id, state_enc="x", version=1, updated_at=now)
            )
            session.flush()
            writing.set()
            release.wait(timeout=10)

    writer = threading.Thread(target=slow_write)
    writer.start()
    assert writing.wait(timeout=10)
    read: list[int] = []
    reader = threading.Thread(target=lambda: read.append(store.conversations.load(contact).version))
    reader.start()
    reader.join(timeout=5)
    finished = not reader.is_alive()
    release.set()
    writer.join()
    reader.join()
    assert finished, "a read waited for an unrelated write"
    assert read == [0]  # the uncommitted row is not seen


def test_conversation_saves_are_compare_and_swap(store: Store) -> None:
    contact = store.contacts.get_or_create(channel="sms", address=PHONE)
    with store.transaction() as session:
        assert store.conversations.save(
            contact=contact, state={"step": "a"}, expected_version=0, wake_at=None, session=session
        )
    with store.transaction() as session:
        assert not store.conversations.save(
            contact=contact,
            state={"step": "lost"},
            expected_version=0,
            wake_at=None,
            session=session,
        )
    with store.transaction() as session:
        assert store.conversations.save(
            contact=contact, state={"step": "b"}, expected_version=1, wake_at=None, session=session
        )
        assert not store.conversations.save(
            contact=contact,
            state={"step": "stale"},
            expected_version=1,
            wake_at=None,
            session=session,
        )
    saved = store.conversations.load(contact)
    assert saved.state == {"step": "b"} and saved.version == 2
    with store.transaction() as session:
        row = session.get(Conversation, contact.id)
        assert row is not None and "step" not in row.state_enc  # encrypted at rest


def test_conversations_due(store: Store) -> None:
    contact = store.contacts.get_or_create(channel="sms", address=PHONE)
    wake = store.clock.now() + timedelta(hours=24)
    with store.transaction() as session:
        store.conversations.save(
            contact=contact, state={}, expected_version=0, wake_at=wake, session=session
        )
    assert store.conversations.due(now=wake - timedelta(seconds=1)) == []
    assert store.conversations.due(now=wake) == [contact.id]


def test_outbox_claims_each_row_once_across_racing_dispatchers(store: Store) -> None:
    contact = store.contacts.get_or_create(channel="sms", address=PHONE)
    with store.transaction() as session:
        for n in range(40):
            store.outbox.enqueue(session=session, contact=contact, body=f"m{n}", purpose="test")
    claimed: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        for _ in range(10):
            got = store.outbox.claim_due(now=store.clock.now(), limit=5)
            with lock:
                claimed.extend(m.id for m in got)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(set(claimed))
    assert len(claimed) == 40


def test_dedupe_key_makes_one_outbound_row(store: Store) -> None:
    contact = store.contacts.get_or_create(channel="sms", address=PHONE)
    with store.transaction() as session:
        first = store.outbox.enqueue(
            session=session, contact=contact, body="x", purpose="t", dedupe_key="k1"
        )
        second = store.outbox.enqueue(
            session=session, contact=contact, body="x", purpose="t", dedupe_key="k1"
        )
    assert first is not None and second is None


def test_opted_out_contact_is_never_queued(store: Store) -> None:
    contact = store.contacts.get_or_create(channel="sms", address=PHONE)
    with store.transaction() as session:
        queued = store.outbox.enqueue(session=session, contact=contact, body="before", purpose="t")
    store.contacts.set_opted_out(contact.id or 0, opted_out=True)
    contact = store.contacts.get_or_create(channel="sms", address=PHONE)
    with store.transaction() as session:
        blocked = store.outbox.enqueue(session=session, contact=contact, body="after", purpose="t")
    assert queued is not None and blocked is not None and blocked.status == "blocked"
    # What was queued before STOP is blocked when claimed, and returned as such (not to send).
    [claimed] = store.outbox.claim_due(now=store.clock.now())
    assert claimed.id == queued.id and claimed.blocked == "opted out" and claimed.body is None
    assert store.outbox.claim_due(now=store.clock.now()) == []
    row = store.outbox.get(queued.id or 0)
    assert row is not None and row.status == "blocked"


def test_erasure_shreds_the_key_and_unlinks_the_number(store: Store) -> None:
    contact = store.contacts.get_or_create(channel="sms", address=PHONE)
    store.inbound.receive(
        channel="sms", address=PHONE, provider_id="SM9", body="my story", media_urls=[]
    )
    with store.transaction() as session:
        store.contacts.erase(contact.id or 0, session=session)
    erased = store.contacts.get(contact.id or 0)
    assert erased is not None and erased.wrapped_key is None and erased.address_enc is None
    fresh = store.contacts.get_or_create(channel="sms", address=PHONE)
    assert fresh.id != contact.id  # the number is no longer recognised
    inbound = store.inbound.receive(
        channel="sms", address=PHONE, provider_id="SM9", body="x", media_urls=[]
    )
    assert inbound.message.body_enc is None


def test_schema_matches_models(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == [], "models changed without a migration: run `cpps db revision -m ...`"
    assert "contact" in inspect(engine).get_table_names()
