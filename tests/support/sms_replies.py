"""What a resident reads: the openings of the replies (flows/conversation/catalog/*.yaml) written
out, so webhook tests check each reply against the words residents get, not the catalogue code."""

from __future__ import annotations

from collections.abc import Sequence

WELCOME = "Hi. This line takes reports about policing and public safety"
ES_WELCOME = "Hola. Este servicio recibe reportes"
ASK_ANONYMITY = "Thank you. Do you want to stay anonymous?"
REASK_ANONYMITY = "Reply 1 to stay anonymous, or 2 if the council may contact you."
ASK_PLACE = "Where did it happen? A street"
ASK_WHEN = "When did it happen?"
ASK_CONSENT = "Last question: may we check in with you later"
FILED = "Thank you. Your report R-"
OPTED_OUT = "You will get no more messages from this line. Text START to resume."
OPTED_IN = "You can get messages from this line again."
EMERGENCY = "If you or anyone is in danger right now, call 911 now."
CRISIS = "If you are in crisis or thinking about hurting yourself, call or text 988 now."
STATUS_NONE = "We have no reports from you yet."

ES_ASK_ANONYMITY = "Gracias. ¿Desea mantenerse en el anonimato?"
ES_ASK_PLACE = "¿En qué lugar fue?"
ES_ASK_WHEN = "¿En qué fecha y hora fue?"
ES_ASK_CONSENT = "Una pregunta final:"
ES_FILED = "Gracias. Enviamos su reporte R-"


def openings(replies: Sequence[str], *expected: str) -> bool:
    """`replies` are exactly as many as `expected`, each starting with its opening."""
    return len(replies) == len(expected) and all(
        reply.startswith(opening) for reply, opening in zip(replies, expected, strict=True)
    )
