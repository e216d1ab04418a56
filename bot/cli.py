"""The `cpps` command line: serve, chat, clock, db, config, keys and the NLP tools."""

from __future__ import annotations

import os
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from bot import nlp_cli
from bot.logs import configure_logging
from bot.nlp_cli import eval_app
from bot.settings import Settings

app = typer.Typer(help="CPPS Bot: community reports by SMS and Slack.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
config_app = typer.Typer(help="City configuration.", no_args_is_help=True)
keys_app = typer.Typer(help="Secret keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(keys_app, name="keys")
app.add_typer(eval_app, name="eval")
app.command("analyse")(nlp_cli.analyse)
app.command("train")(nlp_cli.train)
app.command("train-urgency")(nlp_cli.train_urgency)


def _settings() -> Settings:
    settings = Settings()
    configure_logging(settings.cpps_log_level)
    return settings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    clock: Annotated[
        bool | None,
        typer.Option(
            "--clock/--no-clock", help="Run the scheduler in-process (default: on SQLite)."
        ),
    ] = None,
) -> None:
    """Run the whole service in one process: the web app, the worker (models) and, on the
    embedded default, the scheduler."""
    import uvicorn

    from bot.app import create_app
    from bot.clock import build_scheduler
    from bot.wiring import build_model_worker, build_services, load_analyser
    from flows.store.db import upgrade

    settings = _settings()
    embedded = settings.effective_database_url.startswith("sqlite")
    if embedded:
        upgrade(settings.effective_database_url)  # one command is a working system
    # The same path as the production processes: model work through the database queue, done
    # here by a worker thread.
    services = build_services(settings=settings, models_in_worker=True)
    analyser = load_analyser(services.city, nlp_threads=settings.cpps_nlp_threads)
    stop = threading.Event()
    worker = build_model_worker(services, analyser=analyser)
    threading.Thread(
        target=worker.run_forever, kwargs={"stop": stop}, name="model-worker", daemon=True
    ).start()
    scheduler = None
    if clock if clock is not None else embedded:
        scheduler = build_scheduler(jobs=services.jobs(), blocking=False)
        scheduler.start()
    try:
        uvicorn.run(create_app(services=services), host=host, port=port, log_level="info")
    finally:
        stop.set()
        if scheduler is not None:
            scheduler.shutdown(wait=False)


@app.command("worker")
def worker_command(
    # Two: while one thread waits on the database (claims, results, a conversation woken by a
    # screening), the other runs the models, which release the GIL. Measured on 2 cores and
    # PostgreSQL (benchmarks/sms_webhook.py): the queue drained ~40 % sooner, and filings at 32
    # typing residents found their analyses ready (p99 1286 → 167 ms) with no more memory.
    threads: Annotated[
        int, typer.Option(envvar="CPPS_WORKER_THREADS", min=1, help="Worker threads.")
    ] = 2,
    nice: Annotated[
        int,
        typer.Option(envvar="CPPS_WORKER_NICE", min=0, max=19, help="CPU niceness to add."),
    ] = 10,
) -> None:
    """The model process (the Procfile's `worker`): loads the models once and does the model
    work the web and clock processes queue in the database. Run as many as the load needs."""
    from bot.wiring import build_model_worker, build_services, load_analyser

    # Where it shares cores with web processes, a resident's reply goes before analysis
    # (nothing a request waits for longer than CPPS_FILING_WAIT_SECONDS is done here).
    os.nice(nice)
    settings = _settings()
    services = build_services(settings=settings, models_in_worker=True)
    analyser = load_analyser(services.city, nlp_threads=settings.cpps_nlp_threads)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    workers = [
        threading.Thread(
            target=build_model_worker(services, analyser=analyser, index=n).run_forever,
            kwargs={"stop": stop},
            name=f"model-worker-{n}",
        )
        for n in range(threads)
    ]
    for thread in workers:
        thread.start()
    try:
        while any(thread.is_alive() for thread in workers):
            for thread in workers:
                thread.join(timeout=1)
    except KeyboardInterrupt:
        stop.set()


@app.command("web")
def web(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "0.0.0.0",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(envvar="WEB_CONCURRENCY", min=1, help="Worker processes.")
    ] = 2,
) -> None:
    """The production web process (the Procfile's `web`): workers, no scheduler."""
    from bot.settings import resolve_secrets
    from bot.web import run_web

    settings = _settings()
    # Here, once, before the workers start: missing production secrets stop the process with
    # their names, and development keys are made once for every worker.
    resolve_secrets(settings)
    run_web(host=host, port=port, workers=workers, log_level=settings.cpps_log_level)


@app.command("clock")
def clock_command(
    once: Annotated[bool, typer.Option("--once", help="Run every due job once and exit.")] = False,
    now: Annotated[
        str | None, typer.Option(help="With --once: pretend it is this ISO-8601 time.")
    ] = None,
) -> None:
    """The scheduler process (exactly one in production)."""
    from bot.clock import build_scheduler, run_once
    from bot.wiring import build_services
    from flows.clocks import FixedClock

    settings = _settings()
    if now is not None and not once:
        raise typer.BadParameter("--now only goes with --once")
    fixed = FixedClock(_parse_time(now)) if now else None
    # Model work (a report filed on a timeout) goes to the worker processes.
    services = build_services(settings=settings, clock=fixed, models_in_worker=True)
    if once:
        for job_id, result in run_once(services.jobs()).items():
            typer.echo(f"{job_id}: {result}")
        return
    scheduler = build_scheduler(
        jobs=services.jobs(), blocking=True, database_url=services.settings.effective_database_url
    )
    scheduler.start()


def _parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not an ISO-8601 time: {value}") from None
    if parsed.tzinfo is None:
        raise typer.BadParameter("give a time zone, e.g. 2026-03-08T09:00:00-05:00 or ...Z")
    return parsed


@app.command()
def chat(
    url: Annotated[str, typer.Option(help="The running service.")] = "http://127.0.0.1:8000",
    phone: Annotated[
        str, typer.Option("--from", help="The phone number to text from.")
    ] = "+15555550100",
) -> None:
    """Text the local service from the terminal as a phone would (signed like Twilio)."""
    from bot.chat import LOCAL_ACCOUNT_SID, LOCAL_NUMBER, run_chat
    from bot.settings import resolve_secrets

    settings = _settings()
    secrets = resolve_secrets(settings)
    run_chat(
        url=url.rstrip("/"),
        public_base_url=settings.public_base_url,
        auth_token=secrets.twilio_auth_token,
        phone=phone,
        to=settings.twilio_from_number or LOCAL_NUMBER,
        account_sid=settings.twilio_account_sid or LOCAL_ACCOUNT_SID,
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply schema migrations (the Procfile's release phase)."""
    from flows.store.db import upgrade

    settings = _settings()
    upgrade(settings.effective_database_url, revision)
    typer.echo("database at " + revision)


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Option("-m", "--message")]) -> None:
    """For maintainers: autogenerate a migration from the models."""
    from flows.store.db import make_revision

    make_revision(_settings().effective_database_url, message)


@config_app.command("check")
def config_check(file: Path) -> None:
    """Validate a city configuration file; errors name the line."""
    from flows.city import CityConfigError, load_city_config

    try:
        city = load_city_config(file)
    except CityConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"{file}: ok — {city.city.name}: {len(city.districts)} districts, "
        f"{len(city.destinations)} destinations, {len(city.rules)} rules"
    )


@keys_app.command("new")
def keys_new() -> None:
    """Print a new secret key for CPPS_SECRET_KEYS (put it first; keep older keys after it)."""
    from cryptography.fernet import Fernet

    typer.echo(Fernet.generate_key().decode())


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
