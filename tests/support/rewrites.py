"""Rewrites of a captured, signed Twilio form that keep its signature (issue 13, finding 1).

Twilio's signature is an HMAC of the URL followed by each parameter's name and value, sorted by
name, with no separator: text can move between a name and its value, or from a value into the
next name, and a parameter can be swallowed whole by the value before it, without changing the
signature. Shared by tests/sms/test_hostile_requests.py and benchmarks/hardening_probes.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

Pairs = list[tuple[str, str]]
Rewrite = Callable[[Pairs], Pairs]


def still_signed(pairs: Pairs, signature: str, *, token: str, url: str) -> bool:
    """Whether Twilio's own validator accepts the rewritten form under the captured signature."""
    return bool(RequestValidator(token).validate(url, ImmutableMultiDict(pairs), signature))


def swallow_next(pairs: Pairs, index: int) -> Pairs:
    """The value at `index` takes in the next name and value (the signature does not change)."""
    (name, value), (next_name, next_value) = pairs[index], pairs[index + 1]
    return [*pairs[:index], (name, value + next_name + next_value), *pairs[index + 2 :]]


def issue_rewrite(pairs: Pairs) -> Pairs:
    """The issue's example: `Body=I was stopped by &Deputy Jones=&…&MessageSid=SM…NumMedia0`
    (no NumMedia), from a captured `Body=I was stopped by Deputy Jones`."""
    form = dict(pairs)
    words = form["Body"].rsplit(" ", 2)
    return sorted(
        [(k, v) for k, v in pairs if k not in ("Body", "MessageSid", "NumMedia")]
        + [
            ("Body", words[0] + " "),
            (" ".join(words[1:]), ""),
            ("MessageSid", form["MessageSid"] + "NumMedia" + form["NumMedia"]),
        ]
    )


def _resplit(index: int, at: int) -> Rewrite:
    """Parameter `index`'s name and value, joined and cut again at `at`."""

    def rewrite(pairs: Pairs) -> Pairs:
        joined = "".join(pairs[index])
        return [*pairs[:index], (joined[:at], joined[at:]), *pairs[index + 1 :]]

    return rewrite


def _move_boundary(index: int, at: int) -> Rewrite:
    """The text between parameter `index`'s name and the next value (its value and the next
    name), cut again at `at`: text moves between a value and the following name."""

    def rewrite(pairs: Pairs) -> Pairs:
        (name, value), (next_name, next_value) = pairs[index], pairs[index + 1]
        between = value + next_name
        return [
            *pairs[:index],
            (name, between[:at]),
            (between[at:], next_value),
            *pairs[index + 2 :],
        ]

    return rewrite


def _swallow(index: int) -> Rewrite:
    return lambda pairs: swallow_next(pairs, index)


def rewrites(pairs: Pairs) -> Iterator[tuple[str, Rewrite]]:
    """Every rewrite of this shape of form (sorted pairs) that moves text without adding or
    removing any: the issue's, each parameter swallowing the next, each parameter cut at every
    other point, and each value/next-name boundary moved to every other point. The caller keeps
    those `still_signed` (a rewrite that changes the sort order changes the signature)."""
    yield "the issue's example", issue_rewrite
    for index in range(len(pairs) - 1):
        yield f"{pairs[index][0]} swallows {pairs[index + 1][0]}", _swallow(index)
    for index, (name, value) in enumerate(pairs):
        for at in range(len(name) + len(value) + 1):
            if at != len(name):
                yield f"{name} cut at {at}", _resplit(index, at)
    for index in range(len(pairs) - 1):
        (_, value), (next_name, _) = pairs[index], pairs[index + 1]
        for at in range(len(value) + len(next_name) + 1):
            if at != len(value):
                yield f"{pairs[index][0]}|{next_name} moved to {at}", _move_boundary(index, at)
