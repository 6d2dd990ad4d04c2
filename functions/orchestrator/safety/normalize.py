"""Text as the rules read it: one spelling for the many ways a word can be disguised.

``fold`` undoes what changes a word's look but not its meaning to a reader: compatibility forms
(NFKC: full-width letters, ligatures), case, accents, invisible characters and look-alike letters
of other scripts (a Cyrillic a, a Greek omicron). ``words`` goes further for the word rules:
leetspeak inside words (``k3yl0gg3r``), letters spaced or dotted apart (``b o m b``,
``m.a.l.w.a.r.e``) and punctuation become plain words separated by single spaces; masked, stretched
and misspelt key terms are read as the terms (``spelling``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from orchestrator.safety.spelling import respell, unmask, unstretched

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"), None)
_CONFUSABLES = str.maketrans(
    # look-alike letters of the Cyrillic and Greek scripts (and typographic quotes) -> Latin
    "\u0430\u0432\u0435\u0451\u043a\u043c\u043d\u043e\u0440\u0441\u0442\u0443"
    "\u0445\u0456\u0457\u0458\u0455\u0501\u0261\u04bb\u04cf\u051b\u051d\u2019\u2018"
    "\u03b1\u03b2\u03b5\u03b7\u03b9\u03ba\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7\u03c9\u03b3\u03bc"
    # and the Latin, Greek and Cyrillic letters of other alphabets that pass for a, i, c, v, y, o, w, r, n
    "\u0251\u0131\u03f2\u0475\u04af\u0269\u1d0f\u0461\u0433\u043f\u0491",
    "abeekmhopctyxiijsdghlqw''abenikvoptuxwyuaicvyiowrnr",
)
_LEET = str.maketrans("013457@$!", "oieastasi")
_LEET_WORD = re.compile(r"[a-z0-9@$!]*[a-z][a-z0-9@$!]*")
_SPACED = re.compile(r"(?<![a-z0-9@$])[a-z0-9@$](?:[ .\-_*·][a-z0-9@$](?![a-z0-9@$])){2,}")
_QUANTITY = re.compile(r"\d+[a-z]{0,3}")  # 2024, 11yo, 5mg, 3rd: numbers, not leetspeak
_SEPARATORS = re.compile(r"[ .\-_*·]+")
_NOT_WORD = re.compile(r"[^a-z0-9']+")
_QUOTE = re.compile(r"(?<![a-z])'|'(?![a-z])")  # a quote, not an apostrophe


@dataclass(frozen=True)
class Normalized:
    folded: str
    """Case, compatibility forms, accents, invisibles and look-alike letters undone; punctuation kept."""
    words: str
    """``folded`` as plain words: leetspeak and spaced-out letters undone, punctuation gone."""
    variants: tuple[str, ...] = ()
    """Other readings of ``words`` (a spaced-out run read with its leading article apart)."""


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    text = text.translate(_CONFUSABLES)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return text.strip()


def _unleet(match: re.Match[str], quantities: bool = False) -> str:
    word = match.group(0)
    if not any(ch.isdigit() or ch in "@$!" for ch in word) or (_QUANTITY.fullmatch(word) and not quantities):
        return word
    letters = sum(ch.isalpha() for ch in word)
    return word.translate(_LEET) if letters >= 2 or len(word) <= 3 else word


def _join_spaced(match: re.Match[str]) -> str:
    """``b o m b`` is one word; ``m.a.k.e a m-o-l-o-t-o-v`` three: where the letters are joined by
    punctuation, a space between them ends a word."""
    run = match.group(0)
    if " " in run and re.search(r"[.\-_*·]", run):
        return " ".join(_SEPARATORS.sub("", part) for part in run.split(" "))
    return _SEPARATORS.sub("", run)


def _join_spaced_after_article(match: re.Match[str]) -> str:
    """``a b o m b`` is "a bomb" as often as one word: the reading with the article kept apart."""
    joined = _SEPARATORS.sub("", match.group(0))
    return f"{joined[0]} {joined[1:]}" if joined[0] in "ai" and len(joined) > 3 else joined


def _unleet_all(match: re.Match[str]) -> str:
    return _unleet(match, quantities=True)


def as_words(
    folded: str,
    join: Callable[[re.Match[str]], str] = _join_spaced,
    unleet: Callable[[re.Match[str]], str] = _unleet,
) -> str:
    """Runs of single characters one separator apart are one word; a wider gap ends the word."""
    text = re.sub(r"\bw/o\b", "without", folded)
    text = _SPACED.sub(join, re.sub(r"(?<=\d) ?y/o\b", " year old", text).replace("&", " and "))
    text = _LEET_WORD.sub(unleet, text)
    return re.sub(r"\s+", " ", _QUOTE.sub(" ", _NOT_WORD.sub(" ", text))).strip()


def normalize(text: str) -> Normalized:
    folded = fold(text)
    unmasked = unmask(folded)
    words = respell(as_words(unmasked))
    other = respell(as_words(unmasked, _join_spaced_after_article))
    leet = [w for w in _LEET_WORD.findall(unmasked) if any(ch.isdigit() for ch in w)]
    disguised = [w for w in leet if not _QUANTITY.fullmatch(w)]
    all_leet = respell(as_words(unmasked, unleet=_unleet_all)) if disguised and len(leet) >= 2 else words
    variants = tuple(dict.fromkeys(v for v in (other, all_leet, *unstretched(words)) if v != words))
    return Normalized(re.sub(r"\s+", " ", folded), words, variants)
