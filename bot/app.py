"""The ASGI application: channel adapters mounted on FastAPI, the public transparency page, and
a health check."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bot.logs import configure_logging
from bot.settings import Settings
from bot.slack import build_slack_router
from bot.sms import build_sms_router
from bot.transparency.routes import build_transparency_router
from bot.twilio_wire import OurTwilio
from bot.wiring import Services, build_services


def create_app(*, services: Services) -> FastAPI:
    app = FastAPI(title="CPPS Bot", docs_url=None, redoc_url=None, openapi_url=None)
    settings = services.settings
    app.include_router(
        build_sms_router(
            handle=services.runner.handle,
            on_status=services.on_delivery_status,
            auth_token=services.secrets.twilio_auth_token,
            public_base_url=settings.public_base_url,
            verify_signatures=not settings.cpps_insecure_skip_twilio_signature,
            ours=our_twilio(settings),
            default_region=services.city.city.default_region,
        )
    )

    app.include_router(
        build_slack_router(
            app=services.slack.app, signing_secret=services.secrets.slack_signing_secret
        )
    )

    # The public page and its open data (no login; see bot/transparency/routes.py).
    app.include_router(build_transparency_router(report=services.transparency))

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        # Only the database can be down here (models live in the worker processes, or are
        # loaded before the app exists); a database that answers but cannot be written cannot
        # persist a text either.
        problem = services.database_problem()
        if problem is not None:
            return JSONResponse({"status": problem}, status_code=503)
        return JSONResponse({"status": "ok", "city": services.city.city.name})

    app.state.services = services
    return app


def our_twilio(settings: Settings) -> OurTwilio:
    """The account, numbers and messaging service a genuine webhook names (bot/twilio_wire.py);
    the account only when credentials are configured (a local setup has none)."""
    return OurTwilio(
        account_sid=settings.twilio_account_sid if settings.twilio_configured else "",
        numbers=frozenset({settings.twilio_from_number} - {""}),
        messaging_service_sid=settings.twilio_messaging_service_sid,
    )


def asgi() -> FastAPI:
    """The ASGI factory each worker of `cpps web` (the Procfile's web process) builds."""
    settings = Settings()
    configure_logging(settings.cpps_log_level)
    # No models here: the worker processes do the model work (`cpps worker`).
    services = build_services(settings=settings, models_in_worker=True)
    # The figures are computed once per settled month: not by the first visitor's request.
    services.transparency.warm()
    return create_app(services=services)
