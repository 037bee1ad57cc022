"""Name normalisation shared by the index builder and the matcher.

Both sides must turn "Ma'arrat an-Nu'man", "Maarat al-Numan" and "MAARET AL NUMAN" into keys that
meet, so every comparison of a name goes through `norm` (exact key) or `skeleton` (a looser key
for transliteration variants: vowels and doubled letters dropped).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic definite-article spellings in Latin transliteration: al-, el-, ash-, ad-, an-, ...
_ARTICLES = frozenset("al el ul il as ash ad ad an ar at az ath adh ed es esh en er et ez".split())
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼʻʿʾ\u02bd\u02b9\""), None)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_/.,()]+")
_VOWELS = re.compile(r"[aeiouy]")
_DOUBLES = re.compile(r"(.)\1+")
# Spelled-out forms an index key and a query must agree on.
WORD_FORMS = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft", "tell": "tal", "tel": "tal",
              "tall": "tal"}  # GeoNames spells Syrian tells "Tall"


@lru_cache(maxsize=200_000)
def norm(name: str) -> str:
    """The exact matching key: no accents, apostrophes or case; articles and separators unified."""
    s = name
    if not s.isascii():  # most names are: they need no accent stripping
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = s.translate(_APOSTROPHES).lower()
    words = [w for w in _SEPARATORS.split(s) if w]
    out = []
    for i, w in enumerate(words):
        if w in _ARTICLES and i + 1 < len(words):
            w = "al"
        out.append(WORD_FORMS.get(w, w))
    # an abbreviation keeps its final dot: "Ind." is Indiana, "Ind" is not
    dot = "." if name.endswith(".") and words and len(words[-1]) <= 4 else ""
    return " ".join(out) + dot


@lru_cache(maxsize=200_000)
def skeleton(key: str) -> str:
    """A loose key from a `norm` key: consonants only, doubled letters once, article kept.

    Khan Sheikhoun / Khan Shaykhun -> "khn shkhn"; Saraqeb / Saraqib -> "srqb".
    """
    out = []
    for w in key.rstrip(".").split():
        if w == "al":
            out.append(w)
            continue
        w = w.replace("ou", "u").replace("ee", "i")
        body = _VOWELS.sub("", w[1:])
        out.append(_DOUBLES.sub(r"\1", w[0] + body))
    return " ".join(out)


def variants(name: str) -> set[str]:
    """Every exact key a gazetteer name is indexed under: itself and with its article dropped."""
    key = norm(name)
    return {key, unarticled(key)} - {""}


def unarticled(key: str) -> str:
    """A key without its Arabic article ("al raqqah" -> "raqqah"), or "" when it has none to
    drop: not before a short word ("al bab" stays whole), nor in an abbreviation."""
    words = key.split()
    if len(words) > 1 and words[0] == "al" and len(words[1]) >= 4 and not key.endswith("."):
        return " ".join(words[1:])
    return ""


def is_latin(name: str) -> bool:
    """True when a name is written in Latin script (the alternate names English text can use)."""
    for c in name:
        if c.isalpha() and not ("LATIN" in unicodedata.name(c, "")):
            return False
    return True
