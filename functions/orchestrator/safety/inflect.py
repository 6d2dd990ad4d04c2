"""Lemmas as the rules write them, every inflected form as a text may spell them.

A rule names a verb once, by its lemma (``steal``), and matches ``steal``, ``steals``, ``stealing``,
``stole`` and ``stolen``; a noun by its singular (``bomb`` matches ``bombs``). The regular forms are
derived (``make`` -> ``making``, ``stab`` -> ``stabbing``, ``copy`` -> ``copies``, ``copied``); the
irregular ones English keeps are listed.
"""

from __future__ import annotations

import re

IRREGULAR: dict[str, tuple[str, ...]] = {
    "bleed": ("bled",),
    "blow": ("blew", "blown"),
    "break": ("broke", "broken"),
    "bring": ("brought",),
    "build": ("built",),
    "burn": ("burnt",),
    "buy": ("bought",),
    "catch": ("caught",),
    "cut": ("cut",),
    "die": ("dying", "died"),
    "do": ("did", "done", "does"),
    "drive": ("drove", "driven"),
    "eat": ("ate", "eaten"),
    "fall": ("fell", "fallen"),
    "feed": ("fed",),
    "find": ("found",),
    "forget": ("forgot", "forgotten"),
    "get": ("got", "gotten"),
    "give": ("gave", "given"),
    "go": ("went", "gone", "goes"),
    "hang": ("hung",),
    "have": ("has", "had"),
    "hide": ("hid", "hidden"),
    "hit": ("hit",),
    "hurt": ("hurt",),
    "keep": ("kept",),
    "know": ("knew", "known"),
    "lay": ("laid",),
    "leave": ("left",),
    "make": ("made",),
    "put": ("put",),
    "read": ("read",),
    "run": ("ran",),
    "say": ("said",),
    "see": ("saw", "seen"),
    "sell": ("sold",),
    "send": ("sent",),
    "set": ("set",),
    "shoot": ("shot",),
    "slip": ("slipped",),
    "spend": ("spent",),
    "spread": ("spread",),
    "steal": ("stole", "stolen"),
    "take": ("took", "taken"),
    "teach": ("taught",),
    "tell": ("told",),
    "think": ("thought",),
    "throw": ("threw", "thrown"),
    "wipe": ("wiped",),
    "write": ("wrote", "written"),
}

_VOWELS = "aeiou"


def _doubles(lemma: str) -> bool:
    """Short verbs ending consonant-vowel-consonant double it: stab -> stabbing, drop -> dropped."""
    return (
        len(lemma) >= 3
        and lemma[-1] not in _VOWELS + "wxy"
        and lemma[-2] in _VOWELS
        and lemma[-3] not in _VOWELS
        and sum(ch in _VOWELS for ch in lemma) == 1
    )


def verb_forms(lemma: str) -> tuple[str, ...]:
    """Every form of a verb: the lemma, -s, -ed, -ing (with the spelling rules) and the irregular ones."""
    if " " in lemma:  # a phrasal verb: inflect its first word (blow up -> blew up, blowing up)
        head, rest = lemma.split(" ", 1)
        return tuple(f"{form} {rest}" for form in verb_forms(head))
    if lemma.endswith("e") and not lemma.endswith("ee"):
        stem = lemma[:-1]
        regular = (lemma + "s", lemma + "d", stem + "ing")
    elif lemma.endswith("y") and lemma[-2:-1] not in tuple(_VOWELS):
        regular = (lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing")
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        regular = (lemma + "es", lemma + "ed", lemma + "ing")
    elif _doubles(lemma):
        regular = (lemma + "s", lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing")
    else:
        regular = (lemma + "s", lemma + "ed", lemma + "ing")
    return tuple(dict.fromkeys((lemma, *regular, *IRREGULAR.get(lemma, ()))))


def noun_forms(lemma: str) -> tuple[str, ...]:
    if lemma.endswith("y") and lemma[-2:-1] not in tuple(_VOWELS):
        return (lemma, lemma[:-1] + "ies")
    if lemma.endswith(("s", "sh", "ch", "x", "z")):
        return (lemma, lemma + "es")
    return (lemma, lemma + "s")


def verbs(*lemmas: str) -> str:
    """A regex alternation of every form of ``lemmas`` (for use inside a word pattern)."""
    return "(?:" + "|".join(re.escape(f) for lemma in lemmas for f in verb_forms(lemma)) + ")"


def nouns(*lemmas: str) -> str:
    """A regex alternation of ``lemmas`` and their plurals (a lemma may hold regex, as ``wi ?fi``)."""
    return "(?:" + "|".join(f for lemma in lemmas for f in noun_forms(lemma)) + ")"
