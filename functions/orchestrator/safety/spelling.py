"""The spellings a reader still understands: masked letters (``b*mb``), stretched ones
(``bommmb``), a compound written as one word or two (``pipebomb``, ``ransom ware``) and the
common misspellings of the rules' key terms (``poisen``, ``sucide``, ``keyloger``).

``unmask`` works on the folded text (the mask is punctuation, gone from the words);
``respell`` and ``unstretched`` on the words.
"""

from __future__ import annotations

import re

MASKED_TERMS = (
    "bomb",
    "bombs",
    "kill",
    "meth",
    "rape",
    "nude",
    "nudes",
    "porn",
    "hack",
    "dox",
    "doxx",
    "murder",
    "shoot",
    "stab",
    "suicide",
    "cocaine",
    "heroin",
    "poison",
    "malware",
    "keylogger",
    "ransomware",
    "phishing",
    "explosive",
    "explosives",
    "weapon",
    "gun",
    "slur",
    "nazi",
    "jailbreak",
)
_MASKED_WORD = re.compile(r"\b[a-z]+(?:[*#_.]+[a-z]*)+\b")
_MASKS = tuple((len(term), re.compile("".join(f"[{ch}*#_.]" for ch in term))) for term in MASKED_TERMS)
_MASKED_BY = dict(zip(MASKED_TERMS, _MASKS, strict=True))

TYPOS: dict[str, str] = {
    "kil": "kill",
    "kiled": "killed",
    "poisen": "poison",
    "posion": "poison",
    "poision": "poison",
    "murdur": "murder",
    "murdr": "murder",
    "sucide": "suicide",
    "suicde": "suicide",
    "suiside": "suicide",
    "sucidal": "suicidal",
    "explosiv": "explosive",
    "explossive": "explosive",
    "exploseve": "explosive",
    "keyloger": "keylogger",
    "keyloggr": "keylogger",
    "ransomeware": "ransomware",
    "ransonware": "ransomware",
    "maleware": "malware",
    "malwere": "malware",
    "phising": "phishing",
    "phisihng": "phishing",
    "cocain": "cocaine",
    "cocane": "cocaine",
    "methamphetamin": "methamphetamine",
    "methamfetamine": "methamphetamine",
    "fentanil": "fentanyl",
    "fentynal": "fentanyl",
    "fentanol": "fentanyl",
    "doxing": "doxxing",
    "gernade": "grenade",
    "grenaid": "grenade",
    "detonater": "detonator",
    "assasinate": "assassinate",
    "asassinate": "assassinate",
    "stragle": "strangle",
    "strangel": "strangle",
    "pedofile": "pedophile",
    "paedofile": "pedophile",
    "instrucions": "instructions",
    "instuctions": "instructions",
    "intructions": "instructions",
    "pasword": "password",
    "passwrd": "password",
}
"""Misspellings of key terms that are not words of their own ("heroine" is one: it stays)."""

_TYPO = re.compile(r"\b(?:" + "|".join(sorted(TYPOS, key=len, reverse=True)) + r")\b")
_COMPOUND = re.compile(
    r"\b(pipe|nail|car|dirty|letter|suicide|fertili[sz]er)(bombs?)\b|\b(ransom|mal|spy|stalker|scare|"
    r"key) ?(ware|logger|loggers)\b"
)
_STRETCHED = re.compile(r"([a-z])\1{2,}")


def _unmask_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if not any(ch in "*#" for ch in word):
        return word
    for term, (length, pattern) in _MASKED_BY.items():
        if len(word) == length and pattern.fullmatch(word):
            return term
    return word


def unmask(folded: str) -> str:
    """``b*mb`` is "bomb", ``k#ll`` "kill": a masked key term read as the term."""
    return _MASKED_WORD.sub(_unmask_word, folded) if ("*" in folded or "#" in folded) else folded


def _compound(match: re.Match[str]) -> str:
    if match.group(1):
        return f"{match.group(1)} {match.group(2)}"
    return f"{match.group(3)}{match.group(4)}"


def respell(words: str) -> str:
    """The words with the key terms' misspellings and split or joined compounds put right."""
    return _COMPOUND.sub(_compound, _TYPO.sub(lambda m: TYPOS[m.group(0)], words))


def unstretched(words: str) -> tuple[str, ...]:
    """The readings of letters held too long (``bommmb``, ``kiiiill``): once and twice."""
    if not _STRETCHED.search(words):
        return ()
    return (_STRETCHED.sub(r"\1", words), _STRETCHED.sub(r"\1\1", words))
