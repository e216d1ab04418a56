"""The whole service (issue 14): a Spanish-speaking resident reports by SMS and agrees to
follow-ups; a moderator records and publishes a decision from the card; the resident gets one
text, and STATUS shows the decision in Spanish. Signed Twilio webhooks, signed Slack requests,
the fake vendors over HTTP, both databases, the shipped NLP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from bot.slack.decision_modals import VIEW_DECISION, VIEW_DECISION_PUBLISH
from bot.wiring import Services
from flows.reports.refs import find_ref
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.service_harness import Resident
from tests.slack import signing
from tests.slack.service import click, eventually, slack_post
from tests.support.slack_bench import MODERATOR
from tests.support.sms_replies import (
    ES_ASK_ANONYMITY,
    ES_ASK_CONSENT,
    ES_ASK_PLACE,
    ES_ASK_WHEN,
    ES_FILED,
    openings,
)

PHONE = "+15558675310"
FORM = "application/x-www-form-urlencoded"


def _submit(
    client: TestClient, callback_id: str, metadata: str, values: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    payload = signing.view_submission(
        callback_id=callback_id,
        private_metadata=metadata,
        values=values,
        user=MODERATOR,
        view_id="V0DECISION",
    )
    response = slack_post(client, signing.interactive_body(payload), FORM)
    assert response.status_code == 200
    answer: dict[str, Any] = response.json() if response.content else {}
    return answer


def test_a_published_decision_reaches_a_spanish_reporter_by_text_and_status(
    service: tuple[Services, TestClient], vendor_apis: tuple[FakeSlackAPI, FakeTwilioAPI]
) -> None:
    services, client = service
    slack_api, twilio_api = vendor_apis
    resident = Resident(client, phone=PHONE)
    story = (
        "Un policía me insultó y me revisó la mochila sin razón cuando salía del mercado "
        "Las Flores."
    )
    assert openings(resident.text(story), ES_ASK_ANONYMITY)
    assert openings(resident.text("1"), ES_ASK_PLACE)
    assert openings(resident.text("Las Flores"), ES_ASK_WHEN)
    assert openings(resident.text("OMITIR"), ES_ASK_CONSENT)
    [filed] = resident.text("1")  # yes to follow-ups
    assert filed.startswith(ES_FILED)
    ref = find_ref(filed)
    assert ref is not None

    [card] = [c for c in slack_api.cards("cpps-oversight") if ref in c["text"]]
    click(client, slack_api, card, "cpps_decision")
    [modal] = eventually(lambda: slack_api.views)
    review = _submit(
        client,
        VIEW_DECISION,
        modal["private_metadata"],
        {
            "text": signing.text_value(
                "The council met the police liaison; Officer met with Maria Gonzalez at "
                "555-201-7788 and the search policy will be reviewed."
            )
        },
    )
    assert review["response_action"] == "update"
    assert "Gonzalez" not in str(review) and "[NAME]" in str(review)
    _submit(client, VIEW_DECISION_PUBLISH, modal["private_metadata"], {})

    # One text, in Spanish (the label; the summary is the moderator's), once.
    def decision_texts() -> list[dict[str, str]]:
        services.dispatcher.dispatch_due()
        return [m for m in twilio_api.created if "Decision sobre" in m["Body"]]

    [text] = eventually(decision_texts)
    assert text["To"] == PHONE
    assert text["Body"].startswith(f"Decision sobre {ref} (2026-03-02): The council met")
    assert "Gonzalez" not in text["Body"]

    status = resident.text(f"ESTADO {ref}")
    assert status[0].startswith(f"Reporte {ref}:")
    assert status[1] == text["Body"]
    services.dispatcher.dispatch_due()
    assert len(decision_texts()) == 1
