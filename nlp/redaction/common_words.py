"""Everyday English and Spanish words that are never a person's name on their own.

Used where a capitalised word cannot be trusted (ALL-CAPS or all-lower-case SMS): "OFFICER STOPPED
ME" must not yield an officer called "Stopped". spaCy's stop-word lists (no model needed) plus the
verbs and nouns of police reports.
"""

from __future__ import annotations

from nlp import stop_words
from nlp.textnorm import fold

_REPORT_WORDS = """
    stopped stop pulled pushed hit grabbed yelled told said asked came went took searched arrested
    cuffed handcuffed tased shot shoved kicked punched threatened followed harassed laughed refused
    ignored helped saved was were is are be been being has have had did do does got get gets give
    gave let made make took drove walked ran kept left called came comes just then also still
    again never always really very there here now today yesterday tonight night morning last
    car cars truck van patrol squad unit badge number name guy man woman lady dude sir madam
    police cop cops officer officers deputy sheriff sergeant detective mayor chief city council
    sgt ofc det lt capt cpl lieutenant captain corporal trooper agent agents
    who what when where why how me my mine you your he him his she her they them their we us our
    it its this that and or but not no yes ok okay please thanks thank hello hi hey
    dijo pidio paro detuvo golpeo empujo grito agarro llego llegaron fue fueron estaba estaban era
    tiene tenia hizo hicieron policia oficial agente sargento patrulla carro coche senor senora
    hombre mujer chico nombre numero placa unidad aqui alli ayer hoy anoche noche manana
    thought brought caught saw seen knew felt held threw thrown put sent spoke wrote stood sat
    lied smiled looked laughed talked tried says tells asks wants thinks keeps comes goes tries
    knows sees feels acted acting took taken shouted screamed cursed swore
    mom mum dad mother father son daughter brother sister wife husband uncle aunt cousin grandma
    grandpa nephew niece kid kids baby boyfriend girlfriend neighbor neighbour roommate
    mama papa mami papi hijo hija hermano hermana esposo esposa tio tia primo prima abuela abuelo
    sobrino sobrina vecino vecina novio novia
"""

COMMON_WORDS: frozenset[str] = stop_words.FOLDED | {fold(word) for word in _REPORT_WORDS.split()}


def is_common_word(word: str) -> bool:
    """True for an everyday word (case and accents ignored), e.g. "STOPPED", "Dijo", "the"."""
    return fold(word) in COMMON_WORDS
