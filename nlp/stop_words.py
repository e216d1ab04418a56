"""spaCy's English and Spanish stop-word lists, read without importing spaCy.

The lists live in `spacy/lang/en/stop_words.py` and `spacy/lang/es/stop_words.py`: plain data files
that import nothing. But `from spacy.lang.en.stop_words import STOP_WORDS` first runs
`spacy/__init__.py`, which loads thinc and torch (~280 MB resident), and the web processes use
the lists (`nlp.substance`, `nlp.redaction.common_words`) without any model (issue #15). So each
file is executed on its own, as a standalone module, from the installed spaCy package:
`find_spec("spacy")` locates a top-level package without executing it. spaCy stays the one
source of the lists; this module only changes how they are read.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from nlp.textnorm import fold


def _spacy_dir() -> Path:
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("spaCy is not installed: its stop-word lists are needed")
    return Path(next(iter(spec.submodule_search_locations)))


def _load(language: str) -> frozenset[str]:
    """The `STOP_WORDS` of spaCy's `spacy/lang/<language>/stop_words.py`."""
    path = _spacy_dir() / "lang" / language / "stop_words.py"
    # A private name: this is not `spacy.lang.<language>.stop_words`, and sys.modules never
    # holds it, so a later `import spacy` is unaffected.
    spec = importlib.util.spec_from_file_location(f"_spacy_stop_words_{language}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot read spaCy's stop words at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)


ENGLISH: frozenset[str] = _load("en")
SPANISH: frozenset[str] = _load("es")
# Both lists, lower case and accents folded (`nlp.textnorm.fold`), as the matchers compare words.
FOLDED: frozenset[str] = frozenset(fold(word) for word in ENGLISH | SPANISH)
