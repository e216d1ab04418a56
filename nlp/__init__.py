"""Text analysis (language, redaction, officers, places, categories, urgency); see `nlp.analyse`."""

# First, before any submodule imports spaCy or torch: OpenMP reads its wait policy when torch loads.
from nlp.runtime import openmp as openmp
