"""`analyse(text) -> Analysis`: the one NLP call the rest of the system uses.

Models load once per process (`Analyser.load`), and an `Analyser` holds no mutable state, so
calls are thread-safe. Each text is parsed by spaCy once; the parse feeds redaction and places,
and the sentence embedding feeds the classifier. `screen()` is the reading every inbound text gets
early: the model-free `nlp.light_screen` (what a web process can do without models), with urgency
from the learned detector and the category the classifier is sure of.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from spacy.language import Language as SpacyLanguage

from nlp.classify import Classifier, Prediction, get_default_classifier
from nlp.language import detect_language
from nlp.light_screen import MAX_CHARS, LightScreener
from nlp.officers import find_officers
from nlp.places import Gazetteer, find_places
from nlp.redaction.contact_details import text_for_classification
from nlp.redaction.redact import Redactor, apply_redaction
from nlp.runtime.spacy_model import load_spacy
from nlp.substance import has_story
from nlp.types import Analysis, Screening
from nlp.urgency import UrgencyDetector, get_default_detector
from nlp.urgency_lexicon import lexicon_urgency

# What an analysis without the classifier says of categories: none, so a human decides.
UNCATEGORISED: Prediction = ((), True)
# How much of a crisis text's category evidence the urgency screen's verdict carries, for texts
# under CRISIS_EVIDENCE_MAX_CHARS. The screen reads crises far better than the category head (it
# was trained for it, on intent, plans and farewells), and a short text it calls a crisis is
# about that crisis: "standing on the bridge" is not a neighbourhood-safety report, "loaded my
# dad's gun" not domestic violence. Half the evidence puts the crisis category level with the
# head's first choice or above it. A longer text carries its own subject (a post about an
# abusive home that also says "I want to die"): there the head's reading stands, and the crisis
# still reaches the crisis service through the urgency routing rule and the safety reply.
# Measured on sms_dev (English SMS macro-F1 0.770 -> 0.789) and routing_dev (long+post+comment
# 0.667 -> 0.666 with the limit; 0.624 without it: Reddit stress posts often read as crises).
CRISIS_EVIDENCE = 0.5
CRISIS_EVIDENCE_MAX_CHARS = 300


@dataclass(frozen=True)
class Analyser:
    nlp: SpacyLanguage
    redactor: Redactor
    classifier: Classifier
    gazetteer: Gazetteer
    languages: tuple[str, ...] = ("en", "es")
    urgency_detector: UrgencyDetector = field(default_factory=get_default_detector)
    # The category a text the urgency screen calls a crisis leans to (the city file's
    # `crisis_category`); None: urgency does not touch categories.
    crisis_category: str | None = None

    @classmethod
    def load(
        cls,
        *,
        districts: Iterable[tuple[str, Iterable[str]]] = (),
        languages: Sequence[str] = ("en", "es"),
        default_region: str = "US",
        classifier: Classifier | None = None,
        place_names: Sequence[str] = (),
        urgency_detector: UrgencyDetector | None = None,
        crisis_category: str | None = None,
    ) -> Analyser:
        """Load every model (once per process) for a city's districts and languages.

        `place_names` are more names never to redact, such as the city's own name.
        """
        light = LightScreener.for_city(districts=districts, languages=languages)
        analyzer = cls(
            nlp=load_spacy(),
            redactor=Redactor(
                default_region=default_region, gazetteer=light.gazetteer, place_names=place_names
            ),
            classifier=classifier or get_default_classifier(),
            gazetteer=light.gazetteer,
            languages=light.languages,
            urgency_detector=urgency_detector or get_default_detector(),
            crisis_category=crisis_category,
        )
        analyzer.analyse("warm up: the models load their weights on first use")
        return analyzer

    @cached_property
    def light_screener(self) -> LightScreener:
        """The model-free part of `screen`, on this analyser's gazetteer and languages."""
        return LightScreener(gazetteer=self.gazetteer, languages=self.languages)

    def screen(self, text: str) -> Screening:
        """The full screen of an inbound text: the light screen (language, district by
        gazetteer, whether there is a story at all), with urgency from the learned detector
        instead of the lexicon alone and, for a story, the category the classifier is sure of."""
        return self.screen_batch([text])[0]

    def screen_batch(
        self, texts: Sequence[str], *, categorise: Sequence[bool] | None = None
    ) -> list[Screening]:
        """`screen` for many texts: one pass of each model for all of them (the worker screens
        what has queued up). `categorise[i]` False: the text is not story (an answer to
        "where?", a check-in's answer); its urgency is read, its category is not: it would be
        noise, and the classifier is most of a screening's cost."""
        texts = [text[:MAX_CHARS] for text in texts]
        wanted = [True] * len(texts) if categorise is None else list(categorise)
        if len(wanted) != len(texts):
            raise ValueError("texts and categorise must have the same length")
        lights = [self.light_screener.screen(text) for text in texts]
        # The learned detector (the lexicon and a head over USE) replaces the lexicon's
        # verdict, on every text: its USE pass is the price of not missing a crisis.
        urgencies = (
            self.urgency_detector.detect_batch(texts, languages=[s.language for s in lights])
            if texts
            else []
        )
        screenings = [replace(s, urgency=u) for s, u in zip(lights, urgencies, strict=True)]
        rows = [i for i, s in enumerate(screenings) if wanted[i] and not s.no_story]
        readable = [
            text_for_classification(
                texts[i], (), officers=find_officers(texts[i]), language=screenings[i].language
            )
            for i in rows
        ]
        predictions = (
            self.classifier.predict(readable, languages=[screenings[i].language for i in rows])
            if rows
            else []
        )
        for i, text, prediction in zip(rows, readable, predictions, strict=True):
            categories, triage = self._given_urgency(prediction, screenings[i].urgency, text=text)
            sure = None if triage or not categories else categories[0].label
            screenings[i] = replace(screenings[i], category=sure)
        return screenings

    def _given_urgency(self, prediction: Prediction, urgency: str, *, text: str) -> Prediction:
        """`prediction` for `text` (as the classifier read it), given the urgency screen's
        verdict on it (see CRISIS_EVIDENCE)."""
        if (
            urgency != "crisis"
            or self.crisis_category is None
            or len(text) >= CRISIS_EVIDENCE_MAX_CHARS
        ):
            return prediction
        return self.classifier.leaning_to(prediction, self.crisis_category, weight=CRISIS_EVIDENCE)

    def analyse(self, text: str) -> Analysis:
        return self.analyse_batch([text])[0]

    def analyse_batch(
        self, texts: Sequence[str], *, batch_size: int = 32, categorise: bool = True
    ) -> list[Analysis]:
        """`analyse` for many texts at once (one spaCy pipe, one encoder pass per batch).

        `categorise=False` skips the classifier (no categories, triage set): for texts whose
        category nobody reads, such as a reporter's answer to "where did it happen?", it saves
        the sentence encoder's pass, the largest part of the cost.
        """
        texts = [(t or "")[:MAX_CHARS] for t in texts]
        languages = [detect_language(t, languages=self.languages) for t in texts]
        docs = self.nlp.pipe(texts, batch_size=batch_size)
        partial = []
        for text, language, doc in zip(texts, languages, docs, strict=True):
            officers = find_officers(text)
            # Officer references are facts for the council: never redacted. (Places and
            # protected characteristics are kept by the redactor itself.)
            entities = self.redactor.find(
                text, doc=doc, keep=[(o.start, o.end) for o in officers], language=language
            )
            places, district = find_places(
                text,
                doc=doc,
                gazetteer=self.gazetteer,
                redacted=[(e.start, e.end) for e in entities],
            )
            partial.append((officers, entities, places, district))
        # The classifier reads each report without its contact details and with officers'
        # particulars reduced to their rank (see contact_details). Urgency reads the text as
        # `screen` does, so the filed report and the safety reply agree ("badge 4471" read as a
        # rank word looked like an emergency). Without categories (answers to "where?",
        # "when?"), urgency is the lexicon's: the learned detector read every inbound text.
        readable = [
            text_for_classification(t, p[1], officers=p[0], language=lang)
            for t, p, lang in zip(texts, partial, languages, strict=True)
        ]
        predictions: list[Prediction] = [UNCATEGORISED] * len(texts)
        urgencies = [lexicon_urgency(text) for text in texts]
        if categorise:
            predictions = self.classifier.predict(readable, languages=languages)
            urgencies = self.urgency_detector.detect_batch(texts, languages=languages)
            predictions = [
                self._given_urgency(p, u, text=r)
                for p, u, r in zip(predictions, urgencies, readable, strict=True)
            ]
        return [
            Analysis(
                language=language,
                redacted=apply_redaction(text, entities),
                entities=tuple(entities),
                officers=tuple(officers),
                places=tuple(places),
                district=district,
                categories=categories,
                triage=triage,
                urgency=urgency,
                no_story=not has_story(read),
            )
            for text, read, language, (officers, entities, places, district), (
                categories,
                triage,
            ), urgency in zip(
                texts, readable, languages, partial, predictions, urgencies, strict=True
            )
        ]
