"""Generated, correctly signed requests to the Twilio webhooks (issue 13, "kept fixed").

A valid signature proves only that the token's holder sent the form, not that it is a form Twilio
sends. Whatever a signed form holds, the service must answer without a 5xx, store nothing when it
refuses the form (any 4xx), and answer a genuine one with a 2xx. The forms are generated: any
names and values (unicode, control characters, very long, empty, repeated), and genuine forms with
one field changed, removed or repeated. Each is signed as Twilio signs (its `RequestValidator`,
over every value of a repeated name) and posted to the real app on the real database.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from hypothesis import event, example, given
from hypothesis import strategies as st
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from bot.twilio_wire import DOCUMENTED
from bot.wiring import Services
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.service_harness import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    PUBLIC_URL,
    Resident,
    settle,
)
from tests.support.fuzz import FUZZ
from tests.support.rows import rows_of_every_table

FORM = "application/x-www-form-urlencoded"
Pairs = list[tuple[str, str]]


# Values Twilio never sends where a number, an id or a count belongs, and ones it does.
ODD_VALUES = [
    "",
    " ",
    "client:x",
    "whatsapp:+15557770006",
    "messenger:1234567",
    "+1555",
    " +15557770006 ",
    "+1 555 CALL NOW",
    "5" * 500,
    "١٥٥٥٧٧٧٠٠٠٦",  # Arabic-Indic digits
    "+１５５５７７７０００６",  # fullwidth digits
    "SM123",
    "SM" + "a" * 32,
    "MM" + "A" * 32,
    "SM" + "a" * 32 + "\n",
    "AC" + "9" * 32,
    ACCOUNT_SID,
    FROM_NUMBER,
    "MG" + "b" * 32,
    "0",
    "10",
    "11",
    "-1",
    "1e3",
    "２",
    "2010-04-01",
    "received",
    "https://api.twilio.com/2010-04-01/Accounts/x",
    "image/jpeg",
    "\x00",
    "\u202e",
    "😀" * 3,
    "&Body=x",
    "%00",
]
NAMES = [*sorted(DOCUMENTED), "MediaUrl0", "MediaContentType0", "MediaUrl9", "MessageStatus"]
UNDOCUMENTED = ["Favourite", "body", "", " ", "Body ", "MediaUrl10", "ErrorCode", "😀"]
PHONES = ["+15558675309", "+15557770001", "(555) 777-0006", "15557770007"]
# A few message ids shared between generated forms: one sent from two numbers is refused (409).
SHARED_SIDS = ["SM" + "c" * 32, "SM" + "d" * 32]


def _long(limit: int) -> st.SearchStrategy[str]:
    return st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"), st.integers(300, limit))


# What a resident can text: Twilio's limit for one inbound SMS is 1,600 characters.
texts = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "So"]), max_size=20),
    _long(1600),
)
# Very long values stay mostly within the request limit (past it is tests/sms/test_body_limits.py).
values = st.one_of(st.sampled_from(ODD_VALUES), texts, _long(5000))
names = st.one_of(st.sampled_from(NAMES + UNDOCUMENTED), st.text(max_size=12))


@dataclass(frozen=True)
class Case:
    pairs: Pairs
    # A form exactly as Twilio sends it (a fresh message id is given when it is posted).
    genuine: bool = False


def _genuine_inbound(body: str, phone: str, sid: str, extra: dict[str, str]) -> Pairs:
    # The harness's form of an inbound text (writing the form needs no client).
    form = {**Resident(client=None, phone=phone).form(body, sid=sid), **extra}  # type: ignore[arg-type]
    return list(form.items())


def _mutated(pairs: Pairs, how: str, name: str, value: str) -> Pairs:
    """The form with one field set, removed or repeated."""
    if how == "set":
        return [*[(n, v) for n, v in pairs if n != name], (name, value)]
    if how == "remove":
        return [(n, v) for n, v in pairs if n != name] or pairs
    return [*pairs, (name, value)]


# Location metadata Twilio may add to an inbound SMS: free text, dropped at the edge.
locations = st.dictionaries(
    st.sampled_from(["FromCity", "FromState", "FromZip", "FromCountry", "ToCity", "ToZip"]),
    texts,
    max_size=3,
)
inbound_bases = st.builds(
    _genuine_inbound,
    body=texts,
    phone=st.sampled_from(PHONES),
    sid=st.sampled_from(SHARED_SIDS),
    extra=locations,
)
inbound_cases = st.one_of(
    st.builds(Case, pairs=st.lists(st.tuples(names, values), max_size=16)),
    st.builds(
        Case,
        pairs=st.builds(
            _mutated,
            inbound_bases,
            how=st.sampled_from(["set", "remove", "repeat"]),
            name=names,
            value=values,
        ),
    ),
    st.builds(Case, pairs=inbound_bases, genuine=st.just(True)),
)


def _genuine_status(sid: str, status: str, error_code: str | None) -> Pairs:
    form = {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": ACCOUNT_SID,
        "From": FROM_NUMBER,
        "To": PHONES[0],
        "ApiVersion": "2010-04-01",
    }
    if error_code is not None:
        form["ErrorCode"] = error_code
    return list(form.items())


# The fake Twilio API numbers the messages it is sent (SM000…01, …): the status callbacks name
# the ones `sent_messages` sends, and others.
SENT_SIDS = [f"SM{n:032x}" for n in range(1, 5)]
status_bases = st.builds(
    _genuine_status,
    sid=st.sampled_from([*SENT_SIDS, *SHARED_SIDS]),
    status=st.sampled_from(["queued", "sent", "delivered", "undelivered", "failed", "read"]),
    error_code=st.one_of(st.none(), st.sampled_from(["30003", "30005", "30008"])),
)
status_cases = st.one_of(
    st.builds(Case, pairs=st.lists(st.tuples(names, values), max_size=12)),
    st.builds(
        Case,
        pairs=st.builds(
            _mutated,
            status_bases,
            how=st.sampled_from(["set", "remove", "repeat"]),
            name=st.one_of(st.sampled_from(["MessageStatus", "ErrorCode", "SmsStatus"]), names),
            value=values,
        ),
    ),
    st.builds(Case, pairs=status_bases, genuine=st.just(True)),
)


def _with_fresh_sid(pairs: Pairs) -> Pairs:
    """A genuine form's own message id, so that it is neither a retry nor a borrowed id."""
    sid = "SM" + secrets.token_hex(16)
    return [(n, sid if n in ("MessageSid", "SmsSid", "SmsMessageSid") else v) for n, v in pairs]


def _post_signed(client: TestClient, path: str, pairs: Pairs) -> int:
    """POST the form signed as Twilio signs it: every value of every name, repeated or not."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        PUBLIC_URL + path, ImmutableMultiDict(pairs)
    )
    response = client.post(
        path,
        content=urlencode(pairs),
        headers={"Content-Type": FORM, "X-Twilio-Signature": signature},
    )
    settle(client)  # what the service does after answering is part of what it stores
    return response.status_code


@dataclass(frozen=True)
class Outcome:
    status: int
    # A refused request (4xx) that left a row anywhere (none may).
    stored_when_refused: bool


def probe(services: Services, client: TestClient, path: str, case: Case) -> Outcome:
    """Post the case signed, and what came of it (also benchmarks/hardening_probes.py)."""
    pairs = _with_fresh_sid(case.pairs) if case.genuine else case.pairs
    before = rows_of_every_table(services.store.engine)
    status = _post_signed(client, path, pairs)
    stored = 400 <= status < 500 and rows_of_every_table(services.store.engine) != before
    return Outcome(status=status, stored_when_refused=stored)


def _check(service: tuple[Services, TestClient], path: str, case: Case, accepted: int) -> None:
    outcome = probe(*service, path, case)
    status = outcome.status
    event(f"{'genuine' if case.genuine else 'generated'}: HTTP {status}")
    assert status < 500, case.pairs
    assert not outcome.stored_when_refused, (status, case.pairs)
    assert 200 <= status < 300 or 400 <= status < 500, (status, case.pairs)
    if case.genuine:
        assert status == accepted, case.pairs


@FUZZ
@given(case=inbound_cases)
def test_a_signed_inbound_sms_is_answered_or_refused_cleanly(
    service: tuple[Services, TestClient], case: Case
) -> None:
    _check(service, "/sms", case, accepted=200)


def send_status_targets(services: Services, twilio_api: FakeTwilioAPI) -> list[str]:
    """Outbound texts sent through the fake Twilio API (on a fresh one: SENT_SIDS), so that
    callbacks update real rows."""
    contact = services.store.contacts.get_or_create(channel="sms", address=PHONES[0])
    with services.store.transaction() as session:
        for index in range(len(SENT_SIDS)):
            services.store.outbox.enqueue(
                session=session, contact=contact, body=f"q{index}", purpose="fuzz"
            )
    services.dispatcher.dispatch_due()
    return [message["Sid"] for message in twilio_api.created]


@pytest.fixture
def sent_messages(service: tuple[Services, TestClient], twilio_api: FakeTwilioAPI) -> list[str]:
    sids = send_status_targets(service[0], twilio_api)
    assert sids == SENT_SIDS
    return sids


@FUZZ
@given(case=status_cases)
# Found by this test: an ErrorCode holding a NUL reached the row of a sent message, and
# PostgreSQL's refusal of it was a 500 (now refused at the edge: Twilio's codes are numbers).
@example(case=Case(pairs=_genuine_status(SENT_SIDS[0], "delivered", "\x00")))
def test_a_signed_status_callback_is_answered_or_refused_cleanly(
    service: tuple[Services, TestClient], sent_messages: list[str], case: Case
) -> None:
    _check(service, "/sms/status", case, accepted=204)


def test_the_row_count_sees_what_a_genuine_text_stores(
    service: tuple[Services, TestClient],
) -> None:
    """The row count the properties compare does see what a genuine text stores."""
    services, client = service
    before = rows_of_every_table(services.store.engine)
    Resident(client).text("hello")
    assert rows_of_every_table(services.store.engine) != before
