"""Builds the running system from settings: the one place where dependencies are chosen."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.background import BackgroundWork
from bot.clock import Job
from bot.outbox import ConsoleSender, OutboxDispatcher, Sender, TwilioSender
from bot.settings import Secrets, Settings, resolve_secrets
from bot.slack import (
    SlackCore,
    SlackNotifier,
    SlackParts,
    build_slack_app_parts,
    build_slack_core,
)
from flows.checkins.digest_job import WeeklyDigest
from flows.checkins.jobs import FollowUps
from flows.city import CityConfig, load_city_config
from flows.clocks import Clock, SystemClock
from flows.conversation.catalog import DEFAULT_CATALOG_DIR, Catalog, load_catalog
from flows.conversation.flowdef import DEFAULT_FLOW, Flow, load_flow
from flows.handling.analysis_ahead import PrefetchingAnalyser
from flows.handling.direct_messages import DirectMessages
from flows.handling.effect_prep import Analyser
from flows.handling.incoming import DeliveryStatus
from flows.handling.model_worker import Models, ModelWorker
from flows.handling.queued_analysis import QueuedAnalyser
from flows.handling.runner import ConversationRunner, Prefetch
from flows.handling.sender_limits import SenderGate
from flows.privacy import Vault
from flows.reports.decisions import Decisions
from flows.reports.desk import ModeratorDesk
from flows.reports.late_filing import LateFiling
from flows.reports.moderation import Moderation
from flows.reports.notices import ModeratorNotifier
from flows.reports.retention import Retention
from flows.store import Store, make_engine
from flows.transparency.service import TransparencyReport

if TYPE_CHECKING:
    from nlp.light_screen import LightScreener

log = logging.getLogger(__name__)

# How long the worker's analyses are kept for the filings that may need them.
MODEL_RESULTS_KEPT = timedelta(days=1)
# How long a moderator's summary waits for the worker's redaction (Slack allows 3 s).
REDACTION_WAIT = 2.0


@dataclass
class Services:
    settings: Settings
    secrets: Secrets
    city: CityConfig
    store: Store
    analyser: Analyser
    flow: Flow
    catalog: Catalog
    runner: ConversationRunner
    dispatcher: OutboxDispatcher
    followups: FollowUps
    digest: WeeklyDigest
    retention: Retention
    notifier: ModeratorNotifier
    moderation: Moderation
    decisions: Decisions
    slack: SlackParts
    background: BackgroundWork
    transparency: TransparencyReport
    senders: dict[str, Sender] = field(default_factory=dict)

    def on_delivery_status(self, update: DeliveryStatus) -> None:
        self.store.outbox.apply_delivery_status(
            provider_id=update.provider_id, status=update.status, error_code=update.error_code
        )

    def jobs(self) -> list[Job]:
        """The recurring work of the clock process (or of `serve` on the embedded default)."""
        followups = self.followups
        # In this order, so that one `cpps clock --once` pass sends the check-ins it queues.
        return [
            Job(id="checkins", run=followups.dispatch_due, every_seconds=60),
            Job(id="outbox", run=lambda: self.dispatcher.dispatch_due(), every_seconds=5),
            Job(id="conversation-timeouts", run=self.wake_conversations, every_seconds=60),
            # Texts whose handler died before answering: answered, the reply by the outbox.
            Job(id="abandoned-messages", run=self.runner.answer_abandoned, every_seconds=15),
            Job(id="checkin-no-answer", run=followups.expire_unanswered, every_seconds=600),
            # Hourly, but posts once a week (from the city's digest day and time).
            Job(id="weekly-digest", run=self.digest.post_due, every_seconds=3600),
            Job(id="retention", run=self.retention.erase_old_raw_texts, every_seconds=86400),
            # Cards and thread lines that Slack refused for now (rate limits, outages, channels).
            Job(id="slack-posts", run=self._post_to_slack, every_seconds=15),
            Job(id="model-jobs", run=self._purge_model_jobs, every_seconds=3600),
        ]

    def _purge_model_jobs(self) -> int:
        # A result serves the filing of a draft that may sit idle until its timeout: a day.
        finished_before = self.store.clock.now() - MODEL_RESULTS_KEPT
        return self.store.model_jobs.purge(finished_before=finished_before)

    def _post_to_slack(self) -> None:
        self.slack.poster.queue_missing_cards()
        self.slack.poster.run_due()

    def wake_conversations(self) -> int:
        due = self.store.conversations.due(now=self.store.clock.now())
        for contact_id in due:
            self.runner.tick(contact_id)
        return len(due)

    def database_problem(self) -> str | None:
        """What keeps the database from serving residents now (None: nothing)."""
        if not self.store.is_reachable():
            return "database unreachable"
        if not self.store.is_writable():
            return "database cannot be written"
        return None


def build_model_worker(services: Services, *, analyser: Models, index: int = 0) -> ModelWorker:
    """The worker of `services` (built with `models_in_worker`): `analyser` holds the models.
    Its name is unique per host, process and `index` (one per thread: a lease names its
    holder)."""
    name = f"{socket.gethostname()}:{os.getpid()}:{index}"
    return ModelWorker(
        store=services.store,
        analyser=analyser,
        screener=services.analyser,
        on_screened=lambda contact_id, screening, corrected: services.runner.screened(
            contact_id=contact_id, screening=screening, language_corrected=corrected
        ),
        late_filing=LateFiling(
            store=services.store,
            city=services.city,
            catalog=services.catalog,
            followups=services.followups,
            on_report_filed=[services.slack.poster.report_filed],
        ),
        name=name[:64],
    )


def load_light_screener(city: CityConfig) -> LightScreener:
    """The model-free screen for the city's districts and languages: what a web process runs
    before the first reply (it loads no model; see `nlp.light_screen`)."""
    from nlp.light_screen import LightScreener

    # The language by the lexicon alone: n-gram tables would double the process's memory.
    return LightScreener.for_city(
        districts=city.gazetteer_entries(), languages=city.city.languages, ngrams=False
    )


def load_analyser(city: CityConfig, *, nlp_threads: int = 0) -> Models:
    from nlp.analyse import Analyser
    from nlp.runtime import encoders

    encoders.configure_threads(nlp_threads)
    return Analyser.load(
        districts=city.gazetteer_entries(),
        languages=city.city.languages,
        default_region=city.city.default_region,
        # The city's own name is a place ("the Riverton library"), never a person's name.
        place_names=(city.city.name,),
        crisis_category=city.city.crisis_category or None,
    )


def build_store(settings: Settings, *, secrets: Secrets, clock: Clock | None = None) -> Store:
    return Store(
        engine=make_engine(settings.effective_database_url),
        vault=Vault(keys=secrets.keys),
        clock=clock or SystemClock(),
    )


def build_services(
    *,
    settings: Settings,
    clock: Clock | None = None,
    analyser: Analyser | None = None,
    notifier: ModeratorNotifier | None = None,
    models_in_worker: bool = False,
) -> Services:
    """The service, its models in this process (`analyser`, or the real one loaded here) or,
    with `models_in_worker`, in the worker process: this one then loads no model, screens
    without them and queues the model work (`build_model_worker` does it)."""
    secrets = resolve_secrets(settings)
    city = _load_city(settings)
    store = build_store(settings, secrets=secrets, clock=clock)
    catalog = load_catalog(DEFAULT_CATALOG_DIR, languages=city.city.languages)
    flow = load_flow(DEFAULT_FLOW, catalog=catalog)
    queue: QueuedAnalyser | None = None
    redactor: Analyser
    if models_in_worker:
        screener = load_light_screener(city)
        queue = QueuedAnalyser(
            store=store, screener=screener, wait_seconds=settings.cpps_filing_wait_seconds
        )
        # A moderator's summary is redacted before Slack's 3 s are up, or refused for now.
        redactor = QueuedAnalyser(store=store, screener=screener, wait_seconds=REDACTION_WAIT)
        analyser = queue
    else:
        analyser = analyser or load_analyser(city, nlp_threads=settings.cpps_nlp_threads)
        redactor = analyser
    dispatcher, senders = _build_outbox(settings, secrets=secrets, store=store)
    desk = ModeratorDesk(store=store)
    # Without a bot token the cards (and these notices) go to the console.
    slack_core = build_slack_core(
        bot_token=settings.slack_bot_token.get_secret_value(),
        api_url=settings.slack_api_url,
        store=store,
        desk=desk,
        city=city,
    )
    notifier = notifier or SlackNotifier(
        poster=slack_core.poster, gateway=slack_core.gateway, city=city
    )
    followups = FollowUps(store=store, city=city, catalog=catalog, notifier=notifier)
    # Cards and thread lines go to Slack after the reply, not before it.
    background = BackgroundWork()
    runner = _build_runner(
        store=store,
        city=city,
        flow=flow,
        catalog=catalog,
        analyser=analyser,
        queue=queue,
        followups=followups,
        slack_core=slack_core,
        background=background,
        notifier=notifier,
    )
    moderation = Moderation(
        store=store,
        city=city,
        catalog=catalog,
        # A relayed question makes the reporter's next text its answer (the engine routes it).
        answers=runner,
        followups=followups,
        on_changed=[slack_core.poster.report_changed],
    )
    # A moderator's summary is redacted like a resident's text, by the same NLP.
    decisions = Decisions(
        store=store,
        city=city,
        catalog=catalog,
        redactor=redactor,
        on_changed=[slack_core.poster.report_changed],
    )
    slack = build_slack_app_parts(
        core=slack_core,
        signing_secret=secrets.slack_signing_secret,
        city=city,
        moderation=moderation,
        decisions=decisions,
        desk=desk,
        direct_messages=DirectMessages(
            store=store, handle=runner.handle, dispatch=dispatcher.dispatch_due
        ),
    )
    senders["slack"] = slack.sender
    dispatcher.on_not_sent.append(slack_core.poster.message_not_sent)
    return Services(
        settings=settings,
        secrets=secrets,
        city=city,
        store=store,
        analyser=analyser,
        flow=flow,
        catalog=catalog,
        runner=runner,
        dispatcher=dispatcher,
        followups=followups,
        digest=WeeklyDigest(store=store, city=city, notifier=notifier),
        retention=Retention(store=store, city=city),
        notifier=notifier,
        moderation=moderation,
        decisions=decisions,
        slack=slack,
        background=background,
        # The page lists what moderators publish from Slack, read at most once a minute.
        transparency=TransparencyReport(
            store=store,
            city=city,
            decisions=store.decisions.published_decisions,
            refresh_in_background=True,
        ),
        senders=senders,
    )


def _load_city(settings: Settings) -> CityConfig:
    """The city file, with the time zone overridden when the settings name one."""
    city = load_city_config(settings.cpps_city_config)
    if not settings.cpps_timezone:
        return city
    return city.model_copy(
        update={"city": city.city.model_copy(update={"timezone": settings.cpps_timezone})}
    )


def _build_runner(
    *,
    store: Store,
    city: CityConfig,
    flow: Flow,
    catalog: Catalog,
    analyser: Analyser,
    queue: QueuedAnalyser | None,
    followups: FollowUps,
    slack_core: SlackCore,
    background: BackgroundWork,
    notifier: ModeratorNotifier,
) -> ConversationRunner:
    # Reports are analysed while their last questions are asked, so filing need not wait: by
    # the worker (`queue`), or in this process.
    ahead: Analyser
    prefetch: Prefetch
    if queue is None:
        prefetching = PrefetchingAnalyser(analyser=analyser)
        ahead, prefetch = prefetching, prefetching.prefetch
    else:
        ahead, prefetch = queue, queue.prefetch
    # A sender past the city's limits: one line for the triage desk (after the reply).
    desk_channel = city.routing.triage if city.routing else city.destinations[0].id
    gate = SenderGate(
        store=store,
        limits=city.limits,
        catalog=catalog,
        on_limited=[
            lambda line: background.submit(lambda: notifier.post_notice(desk_channel, line))
        ],
    )
    return ConversationRunner(
        store=store,
        city=city,
        flow=flow,
        catalog=catalog,
        analyser=ahead,
        followups=followups,
        on_report_filed=[slack_core.poster.report_filed],
        on_report_updated=[slack_core.poster.report_changed],
        background=background.submit,
        prefetch=prefetch,
        full_screening=queue.request_full_screen if queue is not None else None,
        gate=gate,
    )


def _build_outbox(
    settings: Settings, *, secrets: Secrets, store: Store
) -> tuple[OutboxDispatcher, dict[str, Sender]]:
    """The outbox dispatcher and its senders by channel (Slack's is added once Slack is built)."""
    senders: dict[str, Sender] = {"sms": _sms_sender(settings, secrets)}
    dispatcher = OutboxDispatcher(
        store=store, senders=senders, retry_for=timedelta(hours=settings.outbox_retry_hours)
    )
    return dispatcher, senders


def _sms_sender(settings: Settings, secrets: Secrets) -> Sender:
    if not settings.twilio_configured:
        log.warning("no Twilio credentials: outbound SMS are printed to the console")
        return ConsoleSender()
    return TwilioSender(
        account_sid=settings.twilio_account_sid,
        auth_token=secrets.twilio_auth_token,
        from_number=settings.twilio_from_number,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        api_base_url=settings.twilio_api_base_url,
        status_callback_url=settings.public_base_url + "/sms/status",
    )
