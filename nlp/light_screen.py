"""The model-free part of the screen: what a web process reads in a text before the first reply.

Web processes load no model (issue #15: spaCy, torch and the encoders made each one ~735 MB),
so they screen a text with what costs no model: the language (`nlp.language`), urgency by the
lexicon alone (`nlp.urgency_lexicon`), the district by the gazetteer (`nlp.places`) and whether
there is a story at all (`nlp.substance`). No category: that needs the classifier. The worker
process, which owns the models, redoes the full screen (`nlp.analyse.Analyser.screen`): this
light screen, with urgency from the learned detector and the classifier's sure category.

Nothing imported here may import spaCy, torch, transformers or an encoder package
(`tests/nlp/test_light_screen.py` checks it in a fresh interpreter).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nlp.language import detect_language
from nlp.places import Gazetteer, match_district
from nlp.substance import has_story
from nlp.types import Screening
from nlp.urgency_lexicon import lexicon_urgency

# Beyond this, text is analysed in its first part only: an SMS is at most 1,600 characters and a
# Slack message 40,000; nobody's report needs spaCy to read a book.
MAX_CHARS = 20_000


@dataclass(frozen=True, kw_only=True)
class LightScreener:
    """The city's gazetteer and languages (first = default); immutable, so thread-safe."""

    gazetteer: Gazetteer
    languages: tuple[str, ...] = ("en", "es")
    # False in web processes: the language by the lexicon alone (see `detect_language`).
    ngrams: bool = True

    @classmethod
    def for_city(
        cls,
        *,
        districts: Iterable[tuple[str, Iterable[str]]] = (),
        languages: Sequence[str] = ("en", "es"),
        ngrams: bool = True,
    ) -> LightScreener:
        """From the city's districts (id, every name of it) and languages; loads no model."""
        return cls(
            gazetteer=Gazetteer.from_districts(districts),
            languages=tuple(languages),
            ngrams=ngrams,
        )

    def screen(self, text: str) -> Screening:
        """Language, urgency by the lexicon, district by the gazetteer, whether there is a
        story; never a category."""
        text = text[:MAX_CHARS]
        return Screening(
            language=detect_language(text, languages=self.languages, ngrams=self.ngrams),
            urgency=lexicon_urgency(text),
            district=match_district(text, gazetteer=self.gazetteer),
            no_story=not has_story(text),
        )
