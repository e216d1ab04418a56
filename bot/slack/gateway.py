"""The Slack Web API calls the bot makes, behind one small interface, with errors sorted by remedy.

`WebApiGateway` uses the official `slack_sdk.WebClient` (its base URL overridable through
`SLACK_API_URL`, for tests and staging); `ConsoleGateway` prints cards to the console when no bot
token is configured, so the embedded default runs without Slack. Error messages carry Slack's
error code only, never a request's content.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import sys
from datetime import datetime
from http.client import HTTPException
from typing import Any, Protocol, TextIO
from urllib.error import URLError
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
# A channel Slack says we cannot post to: a human must fix it (create it, invite the bot).
CHANNEL_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
# A channel ID as Slack writes it (public C…, private G…), as opposed to a channel name.
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{8,}$")
# Looking for a message in a channel's history: messages per page, and pages at most (far more
# top-level messages than a council's channel gets in the day a post is retried).
_HISTORY_PAGE = 200
_HISTORY_PAGES = 10


class SlackTransientError(Exception):
    """Worth retrying: rate limited (with Slack's Retry-After), a server error, a network error.

    `uncertain`: the request reached Slack but no answer came (a timeout, a connection dropped
    while waiting): Slack may have carried the call out.
    """

    def __init__(
        self, code: str, *, retry_after: float | None = None, uncertain: bool = False
    ) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after
        self.uncertain = uncertain


class SlackChannelError(Exception):
    """The channel is missing, archived, or the bot is not in it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class SlackPermanentError(Exception):
    """Slack refused the call for another reason (bad blocks, bad token, …)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class SlackGateway(Protocol):
    def post(
        self,
        *,
        channel: str,
        text: str,
        blocks: list[Any] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        """Post a message (with Slack message metadata: {"event_type", "event_payload"});
        return (channel ID, ts)."""
        ...

    def find_posted(
        self, *, channel: str, metadata: dict[str, Any], since: datetime
    ) -> tuple[str, str] | None:
        """(channel ID, ts) of a message in `channel` (not in a thread) posted after `since`
        with exactly this metadata, or None. Raises as a call does if Slack cannot tell now."""
        ...

    def update(self, *, channel_id: str, ts: str, text: str, blocks: list[Any]) -> None: ...

    def open_view(self, *, trigger_id: str, view: dict[str, Any]) -> None: ...

    def open_dm(self, *, user: str) -> str:
        """The DM channel ID with a user (for replies to residents who write to the bot)."""
        ...

    def channels_of(self, *, user: str) -> list[tuple[str, str]]:
        """(ID, name) of the channels a user is in, as far as the bot can see."""
        ...


class _NoBlindRepost(ConnectionErrorRetryHandler):
    """The SDK's one retry of a dropped connection, except for a post whose request went out
    whole: Slack may have posted it, and a second post would show twice (the poster looks it up
    first instead). A `URLError` failed while connecting or sending: always safe to retry."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        posting = urlsplit(request.url).path.endswith("/chat.postMessage")
        if posting and not isinstance(error, URLError):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def web_client(*, token: str, api_url: str = "") -> WebClient:
    base = (api_url or DEFAULT_API_URL).rstrip("/") + "/"
    handlers: list[RetryHandler] = [_NoBlindRepost()]
    return WebClient(token=token, base_url=base, timeout=10, retry_handlers=handlers)


def _sorted_error(exc: Exception) -> Exception:
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = response.status_code
        code = str(response.get("error") or f"http_{status}")
        if status == 429 or code == "ratelimited":
            retry_after = response.headers.get("Retry-After") or response.headers.get("retry-after")
            return SlackTransientError(
                "ratelimited", retry_after=float(retry_after) if retry_after else None
            )
        if status >= 500 or code in ("internal_error", "fatal_error", "service_unavailable"):
            return SlackTransientError(code)
        if code in CHANNEL_ERRORS:
            return SlackChannelError(code)
        return SlackPermanentError(code)
    # urllib wraps what fails while connecting or sending in URLError: Slack got no whole
    # request. A timeout or a dropped connection while awaiting the answer comes as it is.
    if isinstance(exc, (URLError, SlackClientError)):
        return SlackTransientError("network_error")
    return SlackTransientError("no_answer", uncertain=True)


class WebApiGateway:
    def __init__(self, *, client: WebClient) -> None:
        self._client = client

    def _call(self, method: str, **kwargs: Any) -> Any:
        """One Web API call through the client's own method (which picks Slack's encoding)."""
        try:
            return getattr(self._client, method.replace(".", "_"))(**kwargs)
        except (SlackApiError, SlackClientError, OSError, HTTPException) as exc:
            raise _sorted_error(exc) from None

    def post(
        self,
        *,
        channel: str,
        text: str,
        blocks: list[Any] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        kwargs: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
        if blocks is not None:
            kwargs["blocks"] = blocks
        if thread_ts is not None:
            kwargs["thread_ts"] = thread_ts
        if metadata is not None:
            kwargs["metadata"] = metadata
        response = self._call("chat.postMessage", **kwargs)
        return str(response["channel"]), str(response["ts"])

    def find_posted(
        self, *, channel: str, metadata: dict[str, Any], since: datetime
    ) -> tuple[str, str] | None:
        channel_id = self._channel_id(channel)
        cursor = ""
        # Newest first, from now back to `since`; a bot token reads only channels the bot is in
        # (not_in_channel otherwise, a channel error: a person must invite it).
        for _ in range(_HISTORY_PAGES):
            kwargs: dict[str, Any] = {
                "channel": channel_id,
                "oldest": f"{since.timestamp():.6f}",
                "include_all_metadata": True,
                "limit": _HISTORY_PAGE,
            }
            if cursor:
                kwargs["cursor"] = cursor
            response = self._call("conversations.history", **kwargs)
            for message in response.get("messages") or []:
                if message.get("metadata") == metadata and message.get("ts"):
                    return channel_id, str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor", "")
            if not (response.get("has_more") and cursor):
                return None
        # Thousands of messages since: ours, if there, is among them; not finding it after so
        # many pages, posting (a rare duplicate) beats leaving the card unposted.
        log.warning("history of %s too long to search to the end", channel_id)
        return None

    def _channel_id(self, channel: str) -> str:
        """A channel's ID (history takes no names), from the channels the bot is in."""
        name = channel.lstrip("#")
        if _CHANNEL_ID.match(name):
            return name
        for found_id, found_name in self._member_channels(user=None):
            if found_name == name:
                return found_id
        raise SlackChannelError("not_in_channel")

    def update(self, *, channel_id: str, ts: str, text: str, blocks: list[Any]) -> None:
        self._call("chat.update", channel=channel_id, ts=ts, text=text, blocks=blocks)

    def open_view(self, *, trigger_id: str, view: dict[str, Any]) -> None:
        self._call("views.open", trigger_id=trigger_id, view=view)

    def open_dm(self, *, user: str) -> str:
        response = self._call("conversations.open", users=user)
        return str(response["channel"]["id"])

    def channels_of(self, *, user: str) -> list[tuple[str, str]]:
        return self._member_channels(user=user)

    def _member_channels(self, *, user: str | None) -> list[tuple[str, str]]:
        """(ID, name) of the channels `user` (None: the bot itself) is in."""
        found: list[tuple[str, str]] = []
        cursor = ""
        for _ in range(20):  # 20 pages of 200: far more channels than any council has
            kwargs: dict[str, Any] = {
                "types": "public_channel,private_channel",
                "exclude_archived": True,
                "limit": 200,
            }
            if user is not None:
                kwargs["user"] = user
            if cursor:
                kwargs["cursor"] = cursor
            response = self._call("users.conversations", **kwargs)
            found.extend((c["id"], c.get("name", "")) for c in response.get("channels", []))
            cursor = (response.get("response_metadata") or {}).get("next_cursor", "")
            if not cursor:
                break
        return found


class ConsoleGateway:
    """Development stand-in: prints what would be posted (cards as their text and blocks)."""

    def __init__(self, *, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout
        self._ts = itertools.count(1)

    def post(
        self,
        *,
        channel: str,
        text: str,
        blocks: list[Any] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        ts = f"{next(self._ts)}.000000"
        where = f"#{channel.lstrip('#')}" + (f" (thread {thread_ts})" if thread_ts else "")
        self._write(f"Slack post to {where} (console)", text, blocks)
        return "CONSOLE", ts

    def find_posted(
        self, *, channel: str, metadata: dict[str, Any], since: datetime
    ) -> tuple[str, str] | None:
        return None  # printing always answers: never uncertain

    def update(self, *, channel_id: str, ts: str, text: str, blocks: list[Any]) -> None:
        self._write(f"Slack update of {ts} (console)", text, blocks)

    def open_view(self, *, trigger_id: str, view: dict[str, Any]) -> None:
        self._write("Slack modal (console)", str(view.get("callback_id", "")), None)

    def open_dm(self, *, user: str) -> str:
        return "CONSOLE-DM"

    def channels_of(self, *, user: str) -> list[tuple[str, str]]:
        return []

    def _write(self, title: str, text: str, blocks: list[Any] | None) -> None:
        lines = [f"\n--- {title} ---", text]
        for block in blocks or []:
            lines.extend(_block_text(block))
        self._stream.write("\n".join(lines) + "\n---\n")
        self._stream.flush()


def _block_text(block: dict[str, Any]) -> list[str]:
    """The readable text of a block, for the console."""
    if block.get("type") == "actions":
        return ["[" + "] [".join(e["text"]["text"] for e in block.get("elements", [])) + "]"]
    texts: list[str] = []
    if isinstance(block.get("text"), dict):
        texts.append(block["text"]["text"])
    for item in block.get("fields", []) + block.get("elements", []):
        if isinstance(item, dict) and "text" in item:
            texts.append(item["text"] if isinstance(item["text"], str) else json.dumps(item))
    return texts
