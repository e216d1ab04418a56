"""The urgency lexicon alone: explicit danger now and self-harm intent; no alarm on idioms.

The learned half and the combination are tested in test_urgency.py."""

from __future__ import annotations

import time

import pytest

from nlp.urgency_lexicon import explicit_crisis
from nlp.urgency_lexicon import lexicon_urgency as detect_urgency

EMERGENCY = [
    "my neighbor is beating his wife right now",
    "There's a man with a gun outside my house",
    "he has a knife and he's saying he will kill us",
    "HELP! someone is breaking into my apartment",
    "someone is trying to break in through the back door",
    "the house across the street is on fire",
    "there's a fire in the hallway of my building, smoke everywhere",
    "send help, two guys are fighting with knives in front of the store",
    "my boyfriend is choking me please help",
    "A man is stabbing someone at the bus stop on 5th right now",
    "they are shooting on my block right now",
    "shots fired on Elm st, kids outside",
    "my dad is hitting my mom, we are hiding in the bathroom",
    "im being followed by a guy with a knife",
    "he's pointing a gun at the cashier",
    "cops are beating a guy on the ground right now at the park",
    "someone is inside my house, I can hear them downstairs",
    "my husband is going to kill me, he's drunk and has a bat",
    "call 911 there's a man bleeding on the sidewalk",
    "my baby isn't breathing",
    "the guy who broke in is still inside",
    "she's being attacked in the parking lot",
    "hay un hombre con una pistola afuera de mi casa",
    "mi vecino le está pegando a su esposa ahorita",
    "auxilio, se están metiendo a mi casa",
    "hay un incendio en el edificio",
    "me va a matar, manden a la policía",
    "están golpeando a un muchacho en la esquina ahora mismo",
    "mi esposo tiene un cuchillo y me está amenazando",
    "LA CASA DE AL LADO SE ESTÁ QUEMANDO",
    "he's holding a gun to his girlfriend's head",
    "someone's kicking my door in rn",
    "my grandpa fell and he isnt breathing",
]

NOT_EMERGENCY = [
    "these fees are killing me",
    "me estoy ahogando de la risa jajaja",
    "help the printer is attacking me lol",
    "I could kill for a coffee",
    "he was shot last year",
    "the cops drew a gun on me last week",
    "Officer punched my son in the face while he was already in handcuffs",
    "I was beaten by police in 2019 and nothing happened",
    "my car was broken into last night",
    "the fire department did a great job at the apartment fire",
    "Shots fired on our street again last night. Third time this month.",
    "The complainant states that officers struck him with a baton during his arrest.",
    "my feet are killing me after this shift",
    "I'm dying to try the new taco place",
    "we left early to beat the traffic",
    "give it a shot, the survey is short",
    "He got fired from his job last month",
    "The streetlight on Pine has been out for weeks",
    "Cars speed down this road, someone is going to get hurt eventually",
    "My ex used to hit me when I was younger",
    "ayer la policía le pegó a mi hermano",
    "me muero de hambre jaja",
    "hace dos años me robaron el carro",
    "The officer pulled a gun on me during a traffic stop in 2021",
    "I want to file a complaint about the officer who hit me on Monday",
    "Please add a fire hydrant near the school",
    "She had a panic attack at work today",
    "the game was fire lol",
    "My father beat me growing up",
    "I need help paying my electric bill",
    "can you help me find a food pantry",
    "The police budget is a weapon against our communities (metaphorically)",
    "He threatened me last week and I want to report it",
    "Pedestrians risk being hit by cars running the light here",
]

CRISIS = [
    "I want to end it all",
    "quiero quitarme la vida",
    "i'm going to kill myself tonight",
    "I just want to die",
    "I've been having suicidal thoughts again",
    "nobody would care if I was gone, they'd be better off without me",
    "I don't want to live anymore",
    "I keep thinking about suicide",
    "i have the pills ready and i'm going to take all my pills so i can sleep forever and die",
    "I can't go on like this",
    "I started cutting myself again",
    "i want to hurt myself",
    "my son says he wants to kill himself",
    "my sister is threatening to kill herself",
    "I wish I was dead",
    "there is no reason to live anymore",
    "im gonna jump off the bridge",
    "thinking about ending my life",
    "wanna die",
    "this paperwork makes me want to die lol",
    "me quiero morir",
    "ya no quiero vivir",
    "voy a matarme",
    "he pensado en suicidarme",
    "quiero acabar con todo",
    "tengo ganas de cortarme otra vez",
    "mi hijo dice que se quiere matar",
    "I wrote my suicide note",
    "I'm suicidal and the shelter turned me away",
    "I DONT WANT TO WAKE UP TOMORROW",
    "life isn't worth living anymore",
    "i keep hurting myself when i get like this",
]

NOT_CRISIS = [
    "I could kill for a coffee",
    "I'm dying to see the new movie",
    "I almost died laughing at that",
    "I killed myself laughing at his joke",
    "my phone died during the call",
    "my friend died by suicide in 2019 and I still miss him",
    "the department needs suicide prevention training",
    "I hurt myself playing soccer",
    "I cut myself a slice of cake",
    "this cake is to die for",
    "me muero de risa",
    "me muero de sueño",
    "I feel like death after that flu",
    "I'm so tired of the noise on my street",
    "my anxiety is really bad today",
    "I can't do the homework tonight",
    "he was killed in a car crash",
    "I'm dead tired",
    "the officer threatened to kill my dog",
    "se suicidó un vecino hace años y nadie habla de eso",
    "I want to end my lease early",
    "I need to end things with my boyfriend",
    "My brother attempted suicide awareness walk fundraiser is this weekend",
    "the plants died because nobody watered them",
    "we need to kill the budget proposal",
    "the suicide rate among veterans is too high",
    "estoy muerta de cansancio",
    "I feel like I'm drowning in paperwork",
    "they were threatening to shoot my dog",
    "the movie Suicide Squad was terrible",
    "my battery is dying",
    "biking on this road is a suicide mission",
    "if you're feeling suicidal tonight, please text someone",
    "people who are suicidal deserve care, not judgement",
]


@pytest.mark.parametrize("text", EMERGENCY)
def test_emergency_is_detected(text: str) -> None:
    assert detect_urgency(text) == "emergency"


@pytest.mark.parametrize("text", NOT_EMERGENCY)
def test_idioms_and_past_events_are_not_emergencies(text: str) -> None:
    assert detect_urgency(text) != "emergency"


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_is_detected(text: str) -> None:
    assert detect_urgency(text) == "crisis"


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_idioms_and_others_deaths_are_not_crisis(text: str) -> None:
    assert detect_urgency(text) != "crisis"


@pytest.mark.parametrize("text", ["", "   ", "😀🙏", "A" * 20000, "ok"])
def test_degenerate_input_is_none(text: str) -> None:
    assert detect_urgency(text) == "none"


def test_emergency_after_a_long_preamble_is_found() -> None:
    text = "Some background about my street. " * 50 + "Right now a man is stabbing my neighbor!"
    assert detect_urgency(text) == "emergency"


def test_is_cheap_on_a_long_message() -> None:
    # Not a timing assertion on a typical message (benchmarks do that); this guards against
    # catastrophic regex backtracking on long inputs, which would take seconds.
    text = "he is is is is " * 2000
    start = time.perf_counter()
    detect_urgency(text)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "im so suicidal tonight and nobody is awake",
        "Feeling suicidal again. can't stop crying",
        "my roommate won't stop yelling and i'm really suicidal today",
        "my suicidal thoughts are back and they're loud",
    ],
)
def test_a_plain_first_person_statement_is_explicit(text: str) -> None:
    assert explicit_crisis(text)


@pytest.mark.parametrize(
    "text",
    [
        "this show makes me suicidal lol",
        "i'm not suicidal, just tired of algebra",
        "I was suicidal years ago and I'm doing well now",
        "if you are feeling suicidal please call 988",
        "my cat is suicidal around the fridge",
        "",
    ],
)
def test_jokes_negations_the_past_and_others_are_not_explicit(text: str) -> None:
    assert not explicit_crisis(text)


def test_explicit_statement_is_cheap_on_a_long_message() -> None:
    text = "i am so really " * 1000
    start = time.perf_counter()
    explicit_crisis(text)
    assert time.perf_counter() - start < 1.0
