"""The words the extractor's rules read: the list files of geodata/data/, loaded once, and the
small closed lists more than one rule (or the tokenizer, which keeps exactly these lower-case
words) needs."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..names import norm

DATA = Path(__file__).resolve().parent.parent / "data"

# Lower-case words allowed inside a multi-word name ("Ma'arrat an-Nu'man", "Isle of Man").
CONNECTORS = frozenset(
    "of de del della di da do dos das du des la le les el al an ar as ash ad at az ath ed en er es "
    "et ez y e upon on the and sur am im bin ibn bint abu umm".split())
# Lower-case words that join a proper-noun phrase ("University of Texas", "Bashar al-Assad").
CHAIN_CONNECTORS = frozenset(
    "of de del della di da du des la le les el al an ar as ash ad at az bin ibn abu van von der "
    "den".split())
QUALIFIERS = {
    "province": "admin1", "governorate": "admin1", "region": "admin1", "state": "admin1",
    "oblast": "admin1", "prefecture": "admin1", "countryside": "admin1",
    "county": "admin2", "district": "admin2", "parish": "admin2",
    "city": "city", "town": "city", "village": "city", "township": "city",
}
# Verbs of speech: a small town does not "say", a person does ("Hartl said").
SPEECH = frozenset("said says told added stated explained noted wrote argued recalled".split())
# Words before a proper noun that make it a place ("in X", "the village of X").
CUES = frozenset("in near outside toward towards around of".split())
CUED_OF = frozenset("village town city outskirts camp countryside".split())


def read_list(name: str) -> list[str]:
    """The entries of a list file (one a line; # comments)."""
    return [line.strip() for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def lexicon() -> dict[str, frozenset[str]]:
    """The list files as sets of name keys, by file name."""
    lex = {name: frozenset(norm(word) for word in read_list(f"{name}.txt")) for name in
           ("not_places", "titles", "org_words", "place_words", "products", "function_words",
            "toponym_heads", "group_words")}
    lex["org_words"] |= lex["group_words"]  # a newsroom or an armed group is an organisation
    return lex
