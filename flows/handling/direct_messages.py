"""Residents who write to the service in a chat app's direct messages (Slack DMs).

The same conversation as SMS; only the way back differs. An SMS webhook answers in its own
response, but a chat event expects none: the replies go through the outbox like every later
message, so retries, opt-outs and erasure apply to chat residents exactly as to SMS ones.

A chat platform redelivers an event it thinks was not taken (Slack retries after 3 s): each
delivery id is recorded once, so a retry is recognised before anything runs twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flows.handling.incoming import IncomingMessage, RefusedMessage
from flows.store import Store


class DirectMessages:
    def __init__(
        self,
        *,
        store: Store,
        handle: Callable[[IncomingMessage], Sequence[str]],
        dispatch: Callable[[], object],
    ) -> None:
        self._store = store
        self._handle = handle
        self._dispatch = dispatch

    def first_delivery(self, delivery_id: str) -> bool:
        """True the first time a platform's delivery id is seen; False for its retries."""
        return self._store.slack_posts.first_sighting(delivery_id)

    def receive(self, message: IncomingMessage) -> None:
        """Run the conversation, queue its replies to the sender, and send them now."""
        try:
            replies = self._handle(message)
        except RefusedMessage:
            return  # not a message this service takes (the runner has said why, in the log)
        if not replies:
            return
        contact = self._store.contacts.get_or_create(
            channel=message.channel, address=message.sender
        )
        with self._store.transaction() as session:
            for index, reply in enumerate(replies):
                self._store.outbox.enqueue(
                    session=session,
                    contact=contact,
                    body=reply,
                    purpose="reply",
                    dedupe_key=f"{message.channel}:{message.provider_id}:{index}",
                )
        self._dispatch()
