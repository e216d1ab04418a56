"""The Slack test bench: the real Bolt app behind the real endpoint, a fake Slack Web API and a
fake Twilio API (both real HTTP servers), really signed requests. The fixtures that build it are in
tests/slack/conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.outbox import OutboxDispatcher, TwilioSender
from bot.slack import SlackCore, SlackParts, build_slack_app_parts, build_slack_core
from bot.slack.modals import metadata
from bot.slack.route import build_slack_router
from flows.city import CityConfig
from flows.conversation.catalog import load_catalog
from flows.handling.direct_messages import DirectMessages
from flows.handling.effect_prep import Analyser
from flows.handling.incoming import IncomingMessage
from flows.models import Report
from flows.reports.decisions import Decisions
from flows.reports.desk import ModeratorDesk
from flows.reports.moderation import Moderation
from flows.reports.refs import new_ref
from flows.reports.routing import RoutingInput, route
from flows.store import NewReport, Store
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.slack import signing
from tests.support.analyser import KeywordAnalyser

SECRET = "slack-signing-secret-for-tests"
TOKEN = "xoxb-test-token"
ACCOUNT = "AC" + "2" * 32
TWILIO_TOKEN = "twilio-test-token"
REPORTER_PHONE = "+15551234567"
MODERATOR = "UMODERATR1"


class InlineExecutor(Executor):
    """Runs Bolt's after-ack work at once, so a test sees its effects when the response arrives."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def channel_ids(city: CityConfig) -> dict[str, str]:
    return {d.slack_channel: f"C{index:08d}" for index, d in enumerate(city.destinations, 1)}


@dataclass
class Harness:
    store: Store
    city: CityConfig
    api: FakeSlackAPI
    twilio: FakeTwilioAPI
    moderation: Moderation
    decisions: Decisions
    core: SlackCore
    parts: SlackParts
    dispatcher: OutboxDispatcher
    http: TestClient
    analyser: Analyser
    dms: list[IncomingMessage] = field(default_factory=list)

    # -- filing, as the conversation runner does -----------------------------------------------

    def file(
        self,
        text: str,
        *,
        phone: str = REPORTER_PHONE,
        anonymous: bool = True,
        contact_ok: bool = False,
        consent_checkins: bool = False,
        announce: bool = True,
    ) -> Report:
        analysis = self.analyser.analyse(text)
        decision = route(
            RoutingInput(
                category=analysis.top_category,
                district=analysis.district,
                urgency=analysis.urgency,
                triage=analysis.triage,
            ),
            city=self.city,
        )
        contact = self.store.contacts.get_or_create(channel="sms", address=phone)
        with self.store.transaction() as session:
            report = self.store.reports.create(
                session=session,
                contact=contact,
                ref=new_ref(length=8),  # a resident's 4 would collide among hundreds seeded
                new=NewReport(
                    channel="sms",
                    language=analysis.language,
                    raw_text=text,
                    anonymous=anonymous,
                    contact_ok=contact_ok,
                    consent_checkins=consent_checkins,
                    urgent=analysis.urgency != "none",
                ),
                analysis=analysis,
                destinations=[d.id for d in decision.destinations],
                redacted_place=None,
                redacted_when=None,
            )
            self.store.reports.set_status(
                session=session, report=report, status="routed", actor="system"
            )
        assert report.id is not None
        if announce:
            self.core.poster.report_filed(report.id)
        return report

    def reload(self, report: Report) -> Report:
        assert report.id is not None
        fresh = self.store.reports.get(report.id)
        assert fresh is not None
        return fresh

    # -- signed requests ------------------------------------------------------------------------

    def send(
        self, body: str, *, content_type: str, age_seconds: int = 0, retry_num: int | None = None
    ) -> httpx.Response:
        payload, headers = signing.signed(
            SECRET, body, content_type=content_type, age_seconds=age_seconds, retry_num=retry_num
        )
        return self.http.post("/slack/events", content=payload, headers=headers)

    def event(
        self, event: dict[str, Any], *, event_id: str, retry_num: int | None = None
    ) -> httpx.Response:
        return self.send(
            signing.event_body(event, event_id=event_id),
            content_type="application/json",
            retry_num=retry_num,
        )

    def card(self, report: Report, destination: str) -> dict[str, Any]:
        channel = self.city.destination(destination).slack_channel
        for message in self.api.cards(channel):
            if report.ref in message["text"]:
                return message
        raise AssertionError(f"no card for {report.ref} in #{channel}")

    def click(
        self, action_id: str, report: Report, destination: str, *, user: str = MODERATOR
    ) -> httpx.Response:
        assert report.id is not None
        card = self.card(report, destination)
        payload = signing.block_action(
            action_id=action_id,
            value=metadata(report.id, destination),
            user=user,
            channel=channel_ids(self.city)[self.city.destination(destination).slack_channel],
            message_ts=card["ts"],
            response_url=self.api.response_url("action"),
        )
        return self.send(
            signing.interactive_body(payload), content_type="application/x-www-form-urlencoded"
        )

    def submit(
        self,
        callback_id: str,
        report: Report,
        destination: str,
        values: dict[str, dict[str, Any]],
        *,
        user: str = MODERATOR,
        view_id: str = "V000SUBMIT",
    ) -> httpx.Response:
        assert report.id is not None
        payload = signing.view_submission(
            callback_id=callback_id,
            private_metadata=metadata(report.id, destination),
            values=values,
            user=user,
            view_id=view_id,
        )
        return self.send(
            signing.interactive_body(payload), content_type="application/x-www-form-urlencoded"
        )

    def command(
        self, text: str, *, channel: str = "cpps-oversight", user: str = MODERATOR
    ) -> dict[str, Any]:
        before = len(self.api.responses)
        response = self.send(
            signing.command_body(
                text=text,
                user=user,
                channel_id=channel_ids(self.city).get(channel, "C99999999"),
                channel_name=channel,
                response_url=self.api.response_url("command"),
            ),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        [answer] = self.api.responses[before:]
        return answer


@contextmanager
def slack_bench(
    store: Store,
    city: CityConfig,
    slack_api: FakeSlackAPI,
    twilio_api: FakeTwilioAPI,
    *,
    executor: Executor,
    analyser: Analyser | None = None,
) -> Iterator[Harness]:
    """The bench; reports are filed with `analyser` (by default the keyword test analyser)."""
    desk = ModeratorDesk(store=store)
    core = build_slack_core(
        bot_token=TOKEN, api_url=slack_api.api_url, store=store, desk=desk, city=city
    )
    moderation = Moderation(
        store=store, city=city, catalog=load_catalog(), on_changed=[core.poster.report_changed]
    )
    analyser = analyser or KeywordAnalyser(city=city)
    # Moderators' decision summaries are redacted by the same analyser that files the reports.
    decisions = Decisions(
        store=store,
        city=city,
        catalog=load_catalog(),
        redactor=analyser,
        on_changed=[core.poster.report_changed],
    )
    dms: list[IncomingMessage] = []
    senders: dict[str, Any] = {
        "sms": TwilioSender(
            account_sid=ACCOUNT,
            auth_token=TWILIO_TOKEN,
            from_number="+15550001111",
            api_base_url=twilio_api.base_url,
        )
    }
    # As bot.wiring does: a relay blocked by a STOP is corrected in the card's thread.
    dispatcher = OutboxDispatcher(
        store=store, senders=senders, on_not_sent=[core.poster.message_not_sent]
    )

    def handle(message: IncomingMessage) -> tuple[str, ...]:
        dms.append(message)
        return ("Thanks. Tell us what happened.",)

    parts = build_slack_app_parts(
        core=core,
        signing_secret=SECRET,
        city=city,
        moderation=moderation,
        decisions=decisions,
        desk=desk,
        direct_messages=DirectMessages(
            store=store, handle=handle, dispatch=dispatcher.dispatch_due
        ),
        listener_executor=executor,
    )
    senders["slack"] = parts.sender
    web = FastAPI()
    web.include_router(build_slack_router(app=parts.app, signing_secret=SECRET))
    with TestClient(web) as http:
        yield Harness(
            store=store,
            city=city,
            api=slack_api,
            twilio=twilio_api,
            moderation=moderation,
            decisions=decisions,
            core=core,
            parts=parts,
            dispatcher=dispatcher,
            http=http,
            analyser=analyser,
            dms=dms,
        )
