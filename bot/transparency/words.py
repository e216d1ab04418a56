"""Every word the transparency page and its data dictionary use, in English and Spanish, and
how a protected count reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flows.city import CityConfig
from flows.transparency.aggregate import OTHER
from flows.transparency.suppression import Cell, Shown

LANGUAGES = ("en", "es")

WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "What happens to what residents report",
        "intro": (
            "Reports residents sent to {service}, counted by month. No report's words are ever"
            " published here. To protect the people who report, a count from 1 to {k1} reads"
            " \u201cfewer than {k}\u201d, and a second count is withheld wherever a total would"
            " reveal it. A month is published {settle} days after it ends, as it stood then;"
            " spam is not counted."
        ),
        "switch": "Leer en español",
        "switch_label": "Language",
        "contents": "On this page",
        "skip": "Skip to the figures",
        "received": "Reports received",
        "received_chart": "Reports received each month",
        "by_category": "Reports by category",
        "by_district": "Reports by district",
        "response": "Acknowledged and resolved",
        "followups": "What reporters told us afterwards",
        "decisions": "Decisions",
        "data": "Open data",
        "month": "Month",
        "total": "Total",
        "category": "Category",
        "district": "District",
        "acknowledged": "Acknowledged",
        "not_acknowledged": "Not yet acknowledged",
        "resolved": "Resolved",
        "not_resolved": "Not resolved",
        "days_to_acknowledge": "Median days to acknowledge",
        "days_to_resolve": "Median days to resolve",
        "contacted_answers": "Answered \u201cwere you contacted?\u201d",
        "contacted_yes": "Yes",
        "contacted_no": "No",
        "yes_rate": "Yes rate",
        "satisfaction_answers": "Rated how their report was handled",
        "score": "Rating {score} of 5",
        "satisfied": "Rated 4 or 5",
        "followups_intro": (
            "Residents who agreed to follow-up are asked, a few days after reporting, whether"
            " anyone contacted them, and later how well their report was handled (1 poorly, 5"
            " very well)."
        ),
        "date": "Published",
        "decisions_intro": "Each decision gives the month it was published. Its district and"
        " category are given only where the figures of the month its report was made in"
        " show that count as a number;"
        " otherwise they read \u201cnot published\u201d, so that a decision never points to a"
        " report the figures protect.",
        "summary": "What was decided",
        "parties": "Who took part",
        "corrected": "(corrected)",
        "no_decisions": "No decisions have been published yet.",
        "fewer": "fewer than {k}",
        "withheld": "withheld",
        "folded": "in other districts",
        "not_published": "not published",
        "other_districts": "Other districts or not known",
        "chart_note": "The numbers are in the table that follows.",
        "data_intro": (
            "The same figures as files anyone may reuse, with a description of every field."
        ),
        "data_csv": "Figures (CSV)",
        "data_json": "Figures and data dictionary (JSON)",
        "decisions_csv": "Decisions (CSV)",
        "decisions_json": "Decisions (JSON)",
        "dictionary": "Data dictionary",
        "field": "Field",
        "meaning": "Meaning",
        "updated": "Figures computed {at} (city time); they are refreshed every minute.",
    },
    "es": {
        "title": "Qué pasa con lo que reportan los vecinos",
        "intro": (
            "Reportes que los vecinos enviaron a {service}, contados por mes. Aquí nunca se"
            " publican las palabras de un reporte. Para proteger a quienes reportan, una cifra"
            " de 1 a {k1} aparece como \u201cmenos de {k}\u201d, y se retiene una segunda cifra"
            " cuando un total la revelaría. Cada mes se publica {settle} días después de terminar,"
            " tal como estaba entonces; el spam no se cuenta."
        ),
        "switch": "Read in English",
        "switch_label": "Idioma",
        "contents": "En esta página",
        "skip": "Saltar a las cifras",
        "received": "Reportes recibidos",
        "received_chart": "Reportes recibidos cada mes",
        "by_category": "Reportes por categoría",
        "by_district": "Reportes por distrito",
        "response": "Atendidos y resueltos",
        "followups": "Lo que nos dijeron después quienes reportaron",
        "decisions": "Decisiones",
        "data": "Datos abiertos",
        "month": "Mes",
        "total": "Total",
        "category": "Categoría",
        "district": "Distrito",
        "acknowledged": "Atendidos",
        "not_acknowledged": "Aún no atendidos",
        "resolved": "Resueltos",
        "not_resolved": "No resueltos",
        "days_to_acknowledge": "Mediana de días hasta ser atendido",
        "days_to_resolve": "Mediana de días hasta resolverse",
        "contacted_answers": "Respondieron \u201c¿le contactaron?\u201d",
        "contacted_yes": "Sí",
        "contacted_no": "No",
        "yes_rate": "Porcentaje de sí",
        "satisfaction_answers": "Calificaron cómo se trató su reporte",
        "score": "Calificación {score} de 5",
        "satisfied": "Calificaron 4 o 5",
        "followups_intro": (
            "A quienes aceptaron seguimiento se les pregunta, unos días después de reportar, si"
            " alguien les contactó, y más tarde qué tan bien se trató su reporte (1 mal, 5 muy"
            " bien)."
        ),
        "date": "Publicada",
        "decisions_intro": "Cada decisión indica el mes en que se publicó. Su distrito y su"
        " categoría se indican solo si las cifras del mes en que se hizo el reporte muestran ese"
        " número; si no, dicen"
        " \u201cno publicado\u201d, para que una decisión nunca señale un reporte que las"
        " cifras protegen.",
        "summary": "Qué se decidió",
        "parties": "Quiénes participaron",
        "corrected": "(corregida)",
        "no_decisions": "Todavía no se ha publicado ninguna decisión.",
        "fewer": "menos de {k}",
        "withheld": "retenido",
        "folded": "en otros distritos",
        "not_published": "no publicado",
        "other_districts": "Otros distritos o no se sabe",
        "chart_note": "Las cifras están en la tabla que sigue.",
        "data_intro": (
            "Las mismas cifras en archivos que cualquiera puede reutilizar, con la descripción"
            " de cada campo."
        ),
        "data_csv": "Cifras (CSV)",
        "data_json": "Cifras y diccionario de datos (JSON)",
        "decisions_csv": "Decisiones (CSV)",
        "decisions_json": "Decisiones (JSON)",
        "dictionary": "Diccionario de datos",
        "field": "Campo",
        "meaning": "Significado",
        "updated": "Cifras calculadas el {at} (hora local); se actualizan cada minuto.",
    },
}

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre"
    " diciembre",
}


class Words:
    """The page's words in one language, and the names the city file gives."""

    def __init__(self, language: str, *, city: CityConfig) -> None:
        self.language = language
        self._words = WORDS[language]
        self.city = city
        self.k = city.transparency.min_count

    def __call__(self, key: str, **values: object) -> str:
        settle = self.city.transparency.settle_days
        return self._words[key].format(k=self.k, k1=self.k - 1, settle=settle, **values)

    def cell(self, cell: Cell) -> str:
        """How a protected count reads."""
        if cell.shown == Shown.VALUE:
            return f"{cell.value:,}"
        if cell.shown == Shown.FOLDED:
            return self("folded")
        return self("fewer") if cell.shown == Shown.FEWER else self("withheld")

    def category(self, category: str | None) -> str:
        # A report filed before it was analysed has no category: it is counted as "other".
        return self.city.transparency.category_name(category or OTHER, self.language)

    def district(self, district: str | None) -> str:
        if district is None or district == OTHER:
            return self("other_districts")
        try:
            return self.city.district(district).display_name(self.language)
        except KeyError:
            return self("other_districts")

    def month(self, month: str, *, short: bool = False) -> str:
        """ "2026-02" as "February 2026" / "febrero de 2026" (short: "Feb 2026" / "feb 2026")."""
        year, number = month.split("-")
        name = MONTHS[self.language].split()[int(number) - 1]
        if short:
            return f"{name[:3]} {year[2:]}"
        return f"{name} de {year}" if self.language == "es" else f"{name} {year}"

    # -- a published decision as the public reads it (flows/transparency/public_decisions.py
    # decides what it names): the one place party keys become names and an unnamed district or
    # category reads "not published", for the page and the open data alike.

    def decision_district(self, district: str | None) -> str:
        return self("not_published") if district is None else self.district(district)

    def decision_category(self, category: str | None) -> str:
        return self("not_published") if category is None else self.category(category)

    def parties(self, party_ids: Sequence[str]) -> list[str]:
        """The parties' names in this language, in the order the moderator picked them. A key
        no destination lists any more (the city file changed since) reads as itself."""
        names = []
        for party_id in party_ids:
            try:
                names.append(self.city.party(party_id).name_in(self.language))
            except KeyError:
                names.append(party_id)
        return names
