"""Urgency lexicon: regular expressions, well under 1 ms (the precise half of `nlp.urgency`).

Three outcomes (`nlp.types.Urgency`):

- `emergency`: danger *now*: a weapon present, someone being hurt at this moment, a fire, a
  break-in in progress. Most reports describe past events ("the cops drew a gun on me last
  week"), so violence words alone are not enough: the text needs a present-tense construction
  ("is beating", "has a gun", "being attacked") or an explicit here-and-now marker ("right now",
  "send help"), and a past-time marker ("last week", "ayer") cancels the weak evidence.
- `crisis`: suicide or self-harm intent, the writer's or someone else's ("my son says he wants to
  kill himself").
- `none`.

The lexicon alone misses indirect statements ("tonight's the night") and cannot tell a joke
("this show makes me suicidal lol") from intent; `nlp.urgency` combines it with a learned head,
which may overrule a lexicon match only when it is confident. Fixed idioms that are not about
dying are excluded here already ("killing me" about fees or feet, "could kill for a coffee",
"dying to see", "me muero de risa", "kill myself laughing").
- Laughter ("jajaja", "lol", "😂") cancels an emergency match ("me estoy ahogando jajaja").
- `explicit_crisis`: the writer says in the present that they are suicidal, without a joke, a
  negation or a past marker; `nlp.urgency` treats it as a crisis whatever the head reads.
- Crisis wins over emergency when both match, because the crisis reply also tells people to
  call 911 if they are in danger (the flows decide the wording).
- Past suicide of someone else ("my friend died by suicide in 2019") is not a crisis.
"""

from __future__ import annotations

import re

from nlp.textnorm import fold
from nlp.types import Urgency

# Beyond this many characters the scan would cost more than the budget; the opening of a
# message is where people put what is happening to them.
MAX_SCAN_CHARS = 5000


def _normalise(text: str) -> str:
    """Lower case, accents folded (so 'está' == 'esta'), curly quotes straightened."""
    return fold(text[:MAX_SCAN_CHARS].replace("\u2019", "'").replace("\u2018", "'"))


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


_PERSON = r"(?:me|us|her|him|them|my \w+|his \w+|her \w+|someone|somebody|people|a \w+|the \w+)"
_VIOLENT_ING = (
    r"beating|hitting|punching|stabbing|shooting|choking|strangling|attacking|raping|kicking"
    r"|hurting|assaulting|slapping|dragging|kidnapping|robbing|threatening|chasing|fighting"
)
_WEAPON = r"gun|knife|pistol|rifle|shotgun|weapon|machete|firearm|blade|bat|axe"
_WEAPON_ES = r"pistola|arma|cuchillo|navaja|machete|rifle|escopeta|bate"

# Present-tense constructions that describe danger happening now (cancelled only when a past
# marker is present and no here-and-now marker is).
_EMERGENCY_NOW = _rx(
    # English progressive / passive progressive violence: "is beating his wife", "being attacked"
    rf"\b(?:is|are|am|'s|'re|s|keeps?|started|starting)\s+(?:\w+\s+)?(?:{_VIOLENT_ING})\b",
    r"\bbeing\s+(?:beaten|attacked|hit|stabbed|shot|raped|assaulted|robbed|choked|strangled"
    r"|kidnapped|hurt|abused|threatened|chased|followed|dragged|grabbed|abducted|forced)\b",
    r"\b(?:trying|going|about|gonna|fixing)\s+(?:to\s+)?(?:kill|shoot|stab|hurt|rape)\s+" + _PERSON,
    r"\bthreatening\s+(?:to\s+)?(?:kill|shoot|stab|hurt)",
    # A weapon present: "has a gun", "man with a knife outside", "pointing a gun at us"
    rf"\b(?:has|have|'s got|got|holding|pointing|waving|brandishing|pulling|carrying)\s+"
    rf"(?:a|an|his|her|their|the|out a)?\s*(?:{_WEAPON})s?\b",
    rf"\b(?:with|w/)\s+(?:a|an)\s+(?:{_WEAPON})\b.{{0,40}}"
    r"\b(?:outside|here|in my|at my|at the door)",
    # Fire
    r"\b(?:is|are|'s|'re)\s+on\s+fire\b",
    r"\bthere(?:'s| is) (?:a )?fire\b",
    r"\b(?:caught|catching) fire\b",
    r"\bsmoke (?:is )?(?:coming|pouring|everywhere)",
    r"\b(?:is|are) burning\b",
    # Break-in in progress
    r"\b(?:is|are|'s|'re)\s+(?:breaking|trying to break|trying to get)\s+in",
    r"\b(?:someone|somebody|a man|a guy|people|an intruder|intruders?)\s+(?:is|are|'s)\s+"
    r"(?:in|inside)\s+(?:my|our|the)\s+(?:house|home|apartment|room|building)",
    r"\bstill (?:inside|in the house|in my house|here|outside)\b",
    # Calls for immediate help and life-threatening state now
    r"\bsend (?:help|the police|police|cops|an ambulance|someone)\b",
    r"\b(?:need|call) (?:the police|police|the cops|cops|an ambulance|911)\b",
    r"\bneed help (?:now|right now|asap|fast|quick)\b",
    r"\bhelp\s*!|\bhelp (?:me|us) (?:please|pls|now|asap)",
    # Texted without apostrophes too ("he isnt breathing", "shes bleeding").
    r"\b(?:isn'?t|is not|not|ain'?t) breathing\b",
    r"\b(?:i'?m|i am|he'?s|she'?s|he is|she is) bleeding\b",
    r"\bactive shooter\b|\bshots (?:being )?fired\b|\bi hear (?:gun)?shots\b",
    r"\b(?:drowning|going under)\b|\bnot moving\b|\bknee on\b",
    r"\b(?:tasing|tasering|hitting|punching|kicking)\b.{0,20}\b(?:over and over|again and again)\b",
    r"\b(?:following|chasing|stalking) me\b|\blocked (?:me )?in\b",
    # Spanish
    r"\besta(?:n)?\s+(?:\w+\s+)?(?:golpeando|pegando|matando|apunalando|disparando|atacando"
    r"|violando|ahorcando|asfixiando|robando|amenazando|siguiendo|lastimando)\b",
    r"\b(?:le|la|lo|me|nos|les)\s+esta(?:n)?\s+(?:pegando|golpeando|matando|ahorcando|violando)",
    rf"\btiene(?:n)?\s+(?:un|una)\s+(?:{_WEAPON_ES})\b",
    rf"\bcon\s+(?:un|una)\s+(?:{_WEAPON_ES})\b.{{0,40}}\b(?:afuera|aqui|en mi|en la puerta)",
    r"\b(?:me|nos|la|lo|te)\s+(?:va|van|quiere|quieren)\s+(?:a\s+)?matar",
    r"\bhay (?:un )?(?:incendio|fuego)\b|\bse esta quemando\b|\besta en llamas\b",
    r"\bse esta(?:n)? metiendo\b|\bestan? (?:dentro|adentro) de (?:mi|la) casa\b",
    r"\b(?:manden|envien|necesito|llamen a)\s+(?:ayuda|la policia|una ambulancia|policia)\b",
    r"\bauxilio\b|\bayuda\s*!",
    r"\bno (?:esta )?respira\b",
    r"\bahogando(?:se)?\b|\bno se mueve\b|\bme tiene(?:n)? encerrad[ao]\b",
    r"\bme (?:esta|vienen?) siguiendo\b",
)

# Violence words that make an emergency only together with a here-and-now marker.
_VIOLENCE_WORD = _rx(
    rf"\b(?:{_WEAPON}|shot|shots|shooting|stabbed|stabbing|beat|beating|beaten|hit|hitting"
    r"|attack|attacked|attacking|fight|fighting|kill|killed|robbed|robbery|broke in|break in"
    r"|breaking in|fire|choking|strangling|hurt|hurting|threatened|threatening|bleeding"
    r"|gunshots|dragged|dragging|grabbed|kidnapped|kidnapping|abducted|abducting)\b",
    rf"\b(?:{_WEAPON_ES}|disparo|disparos|balazos|golpe|golpes|pego|pegando|golpeando|matar"
    r"|apunalo|robo|robando|incendio|fuego|amenaza|amenazando|sangre|sangrando)\b",
)

_HERE_AND_NOW = _rx(
    r"\bright now\b|\brn\b|\bas we speak\b|\bat the moment\b|\bcurrently\b|\bhappening\b",
    r"\bhurry\b|\bcome quick|\basap\b|\bplease help\b|\bhelp me\b|\bhelp us\b|\bemergency\b",
    r"\boutside my (?:door|house|window|apartment|building)\b|\bnext door now\b|\bstill\b",
    r"\bnow\s*[!.?]*\s*$|\bnow\s*!|\bright here\b",
    r"\bahora(?: mismo)?\b|\bahorita\b|\ben este momento\b|\burgente\b|\brapido\b|\bya mismo\b",
)

_PAST_MARKER = _rx(
    r"\byesterday\b|\blast (?:night|week|month|year|summer|winter|spring|fall|time|weekend)\b",
    r"\b(?:ago|years|months|weeks)\b|\bin (?:19|20)\d\d\b|\bthe other day\b|\bback (?:in|when)\b",
    r"\bon (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\bused to\b",
    r"\bwhen i was\b|\bas a (?:kid|child|teen)\b|\bgrowing up\b|\bearlier (?:today|this)\b",
    r"\bayer\b|\banoche\b|\b(?:la semana|el mes|el ano|el verano) pasad[oa]\b|\bhace \w+ (?:dias|"
    r"semanas|meses|anos)\b|\bcuando era\b|\bde nin[oa]\b",
    r"\bon \d{1,2}[-/]\d{1,2}",
)

# Idioms that use violent or deadly words about something else.
_IDIOM = _rx(
    r"\b(?:are|is|'s|'re) killing me\b",
    r"\bkill(?:ing)? (?:it|time)\b|\bcould kill for\b|\bkill for (?:a|an|some)\b",
    r"\bdying (?:to|for)\b|\bto die for\b|\bdie laughing\b|\bdied laughing\b",
    r"\bkill(?:ing)? (?:my ?self|me) laughing\b",
    r"\bbeat(?:ing)? (?:the|my|your|our) (?:traffic|record|rush|heat)\b",
    r"\b(?:risks?|risking|afraid of|fear of|scared of|avoid|avoiding|chance of|danger of|was|were)"
    r" being (?:hit|hurt|attacked|robbed|followed)\b",
    r"\bsuicide (?:mission|run|lane|door)\b",
    r"\bgive it a shot\b|\bshot of\b|\bfire (?:sale|drill|department|station|hydrant|fighters?)\b",
    r"\bmuero de (?:risa|hambre|sueno|ganas|calor|frio)\b",
    r"\bmorir(?:me)? de (?:risa|hambre|sueno)\b",
)

_CRISIS = _rx(
    # The writer's own intent
    r"\b(?:kill|killing|hang|hanging|shoot|shooting|off|offing|drown|drowning|poison"
    r"|poisoning)\s+my ?self\b",
    r"\bsuicid(?:e|al)\b",
    r"\b(?:want|wanna|wanted|going|gonna|ready|wish|plan|planning|deserve)\s+(?:to\s+)?die\b",
    r"\bwant to be dead\b|\bwish (?:i was|i were|i'd|i had) (?:dead|never been born)\b",
    r"\bbetter off (?:dead|without me)\b|\bend(?:ing)? (?:it all|my life|my own life)\b",
    r"\btake my (?:own )?life\b|\bno reason (?:to|for) (?:live|living|go on)\b",
    r"\b(?:don't|do not|dont) want to (?:live|be alive|wake up|exist|be here anymore|go on)\b",
    r"\bcan't go on\b|\bcannot go on\b|\bnot worth living\b",
    r"\b(?:life|living) (?:is|isn't) (?:not )?worth\b",
    r"\b(?:want|wanna|going|gonna|urge|urges|started|keep|been|feel like)\s+(?:to\s+)?"
    r"(?:cut|cutting|hurt|hurting|harm|harming|burn|burning)\s+my ?self\b",
    r"\bself[- ]?harm(?:ing)?\b|\bslit my wrists?\b|\boverdos(?:e|ing) on purpose\b",
    r"\b(?:take|swallow|took) (?:all )?(?:my|the|these|those) pills\b.{0,30}"
    r"\b(?:die|end|sleep forever)",
    r"\bjump (?:off|from) (?:a|the) (?:bridge|building|roof)\b",
    r"\bgoodbye (?:everyone|world|cruel world)\b|\bmy (?:suicide|goodbye) note\b",
    # Indirect intent: plans, means at hand, farewells (the head confirms each match)
    r"\b(?:i|i've|ive|i just|just)\s+(?:took|swallowed|taken|downed)\s+(?:a bunch of|a handful of"
    r"|all (?:of )?(?:my|the)|the whole|(?:like |about )?\d+|a (?:whole )?bottle of|every)"
    r"\s*(?:\w+\s+)?(?:pills|tablets|meds|medication|tylenol|bottle)\b",
    r"\bloaded (?:my|the|a|my (?:dad|father|mom)'?s) (?:gun|pistol|revolver|rifle|shotgun)\b",
    r"\b(?:gun|pistol|revolver|rifle|shotgun)\b.{0,30}\b(?:to my head|in my mouth|in my lap)\b",
    r"\b(?:engine|car|motor) (?:running|on)\b.{0,60}\bgarage\b"
    r"|\bgarage\b.{0,60}\b(?:engine|car|motor) (?:running|on)\b",
    r"\b(?:rope|noose) (?:is )?(?:ready|tied|up)\b",
    r"\b(?:have|got|bought) (?:a|the) (?:rope|noose)\b",
    r"\b(?:i'm|im|i am) (?:standing )?(?:on|at) (?:the|a) (?:edge|ledge|bridge|roof|overpass)\b",
    r"\btonight'?s the night\b",
    r"\b(?:gun|pistol|revolver|rifle|shotgun|pills|razor|blade|rope|noose)\b.{0,50}"
    r"\b(?:keep|can'?t stop|cant stop)\s+(?:looking|staring)\s+at\b",
    r"\b(?:wrote|written|writing|left)\s+(?:a|my|the)\s+(?:goodbye |last |final )?"
    r"(?:note|letters?)\b.{0,40}\b(?:tonight|finish it|go through with it|goodbye)\b",
    r"\b(?:want|wish|need) (?:it all|everything|it|this) to (?:end|stop|be over)\b",
    r"\b(?:want|going|gonna|ready|decided) to end it\b|\bi want to end it\b",
    r"\b(?:won'?t|will not|wont) be (?:here|around|alive) (?:tomorrow|much longer|anymore)\b",
    r"\b(?:gave|giving|given) away (?:all )?my\b|\b(?:said|saying|texted) (?:my )?goodbyes?\b",
    r"\b(?:better off|happier) (?:without me|if i (?:was|were)n'?t (?:here|around))\b",
    r"\b(?:cutting|cut myself|cut) (?:again|deep|deeper)\b",
    # Someone else's intent, now
    r"\b(?:wants?|going|gonna|threaten(?:s|ed|ing)?|trying|tried"
    r"|says? (?:he|she|they)(?:'ll| will| wants? to)?)"
    r"\s+(?:to\s+)?(?:kill|hurt|harm|cut) (?:himself|herself|themselves|themself)\b",
    # Spanish
    r"\bquitarme la vida\b|\bmatarme\b|\bsuicid(?:arme|io|a|arse)\b",
    r"\b(?:me quiero|quiero|quisiera|me voy a|deseo) morir(?:me)?\b|\bquiero estar muert[oa]\b",
    r"\bacabar con (?:todo|mi vida)\b|\bno quiero (?:vivir|seguir viviendo|despertar|seguir)\b",
    r"\b(?:cortarme|hacerme dano|lastimarme)\b|\bmejor muert[oa]\b|\bno vale la pena vivir\b",
    r"\bse quiere (?:matar|suicidar|morir|cortar)\b",
    r"\bme voy a matar\b|\bme (?:tome|trague) (?:todas|un monton|muchas|\d+|el frasco|un frasco)",
    r"\b(?:estoy|ando) (?:parad[oa] )?(?:en|arriba de|en la orilla de)l? (?:el )?puente\b",
    r"\bme despedi de\b|\bse acaba todo\b|\bno quiero (?:seguir|estar aqui)\b",
    r"\bcortar(?:me|se)? las venas\b|\bme (?:corte|volvi a cortar)\b",
    r"\b(?:tengo|traigo) (?:la|una|el|las|mi) (?:pistola|arma|cuerda|soga|pastillas|navaja)\b",
    r"\b(?:quiere|va a) (?:matarse|suicidarse|quitarse la vida)\b",
)

# Past or third-party mentions that are about someone else's death, not intent now.
_CRISIS_NOT_INTENT = _rx(
    r"\b(?:died by|committed|lost (?:\w+ )?(?:\w+ )?to|death by|survivors? of) suicide\b",
    r"\bsuicide (?:prevention|squad|awareness|rates?|training)\b",
    r"\bkill(?:ed|s)? (?:himself|herself|themselves) (?:in|last|years?|\d)",
    r"\bse suicido\b",
    # Words to others or to anyone ("if you're feeling suicidal, reach out"): not the writer's.
    r"\b(?:if you|you'?re|you are|anyone|anybody|for those|everyone)\s+(?:\w+\s+){0,3}suicidal\b",
    r"\b(?:people|those|folks|kids|teens|students|men|women|veterans|others)\s+(?:who|that)\s+"
    r"(?:are|feel|have been|were|get)\s+(?:\w+\s+){0,2}suicidal\b",
)
# Laughter ("jajaja", "lmao", "😂"): what reads as danger ("me estoy ahogando jajaja", "help the
# door is attacking me lol") is a joke; the head may still raise an alarm on its own.
_LAUGHTER = _rx(
    r"(?:j+a+){2,}|(?:a+j+){2,}|(?:j+e+){2,}|(?:h+a+){2,}|(?:j+s+){2,}",
    r"\blol\b|\blmf?ao+\b|\brofl\b|\bxd+\b|\bjk\b|\U0001f602|\U0001f923",
)
# The writer says, in the present, that they are suicidal ("im so suicidal tonight", "feeling
# suicidal again", "my suicidal thoughts are back"): a statement the head may not overrule
# (it reads "suicidal" beside a trivial cause as a joke). Negation, the past and laughter are
# checked separately (see `explicit_crisis`).
_SUICIDAL_ADVERBS = (
    r"(?:(?:so|really|very|super|kinda|kind of|lowkey|actively|passively|hella|fucking|extremely"
    r"|incredibly|pretty|just|still|always|literally|genuinely|seriously|quite|a bit|a little"
    r"|more|too|getting|again)\s+)*"
)
_SELF_SUICIDAL = _rx(
    rf"\b(?:i'?m|im|i am|i feel|i'?ve been|ive been|i keep feeling|i get)\s+(?:feeling\s+)?"
    rf"{_SUICIDAL_ADVERBS}suicidal\b",
    rf"(?:^|[.!?\n]\s*)(?:feeling|been feeling|been|so)\s+{_SUICIDAL_ADVERBS}suicidal\b",
    r"\b(?:my|i have|i'?m having|im having|i keep having|i get) suicidal"
    r" (?:thoughts|feelings|urges)\b(?!.{0,30}\b(?:ago|gone|passed|over|stopped|went away)\b)",
)
_NOT_SUICIDAL = _rx(
    r"\b(?:not|no|never|n't|nt|no longer|stopped being|used to be)\s+(?:\w+\s+){0,2}suicidal\b"
)

_FIRST_PERSON_INTENT = _rx(
    r"\bi (?:want|wanna|am going|'m going|will|might|plan|think about|keep thinking)\b",
    r"\b(?:kill|end) (?:myself|my life)\b|\bquiero\b|\bme voy a\b",
)


def _is_crisis(text: str) -> bool:
    matches = [m for m in _CRISIS.finditer(text)]
    if not matches:
        return False
    cleaned = _IDIOM.sub(" ", text)
    if not _CRISIS.search(cleaned):
        return False
    # "my friend died by suicide last year" is grief, not intent; unless the writer also
    # speaks of their own intent.
    if _CRISIS_NOT_INTENT.search(cleaned):
        remaining = _CRISIS_NOT_INTENT.sub(" ", cleaned)
        return bool(_CRISIS.search(remaining)) or bool(
            _FIRST_PERSON_INTENT.search(remaining) and "suicid" in remaining
        )
    return True


def _is_emergency(text: str) -> bool:
    if _LAUGHTER.search(text):
        return False
    cleaned = _IDIOM.sub(" ", text)
    has_now = bool(_HERE_AND_NOW.search(cleaned))
    has_past = bool(_PAST_MARKER.search(cleaned))
    if _EMERGENCY_NOW.search(cleaned):
        return has_now or not has_past
    return has_now and not has_past and bool(_VIOLENCE_WORD.search(cleaned))


def lexicon_signals(text: str) -> tuple[bool, bool]:
    """(crisis, emergency): whether each lexicon matches `text` (both may)."""
    if not text or not text.strip():
        return False, False
    normalised = _normalise(text)
    return _is_crisis(normalised), _is_emergency(normalised)


def explicit_crisis(text: str) -> bool:
    """Whether the writer says plainly that they are suicidal now (no joke, no negation, not
    the past): a crisis whatever the head reads around it."""
    if not text or not text.strip():
        return False
    normalised = _normalise(text)
    return bool(
        _SELF_SUICIDAL.search(normalised)
        and not _NOT_SUICIDAL.search(normalised)
        and not _LAUGHTER.search(normalised)
        and not _PAST_MARKER.search(normalised)
    )


def lexicon_urgency(text: str) -> Urgency:
    """The lexicon's verdict alone: 'crisis', 'emergency' or 'none' (crisis first)."""
    crisis, emergency = lexicon_signals(text)
    return "crisis" if crisis else "emergency" if emergency else "none"
