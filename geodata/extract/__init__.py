"""Find the spans of a text that name places (toponyms) or their peoples (demonyms).

A gazetteer matcher over capitalised word sequences, longest match first, with the rules that
keep it from firing where there is no place: a name inside a longer proper noun ("The Moscow
Times", "Free Idlib Army", "Michael Jackson") is not a place; a person's title or a product
noun ("Aleppo soap") rules a name out; words capitalised only because they start a sentence
("Most", "Along") and months or weekdays are not places. Each span keeps its sentence.

One module a question, composed by `Extractor` (extractor.py):
- tokens: the sentences and the words a name can be made of; words: the word lists the rules read
- candidates: which runs of words are proper-noun phrases, and the longest name at a word
- longer_name: is the name part of a longer proper noun (a person's, an organisation's)?
- common_words: is a one-word name an ordinary word or an acronym?
- people, brands: does it name someone, an airline, a brand or a product?
- dateline: does a date follow the name, does the name open a dateline?
- context: what the words after a name say of it ("Idlib province", "Paris, Texas")
- known: what the index knows a name to be (a country, a big city...)
- loose, unknown: phrases no exact name matched (other spellings; names the index lacks)
"""
from __future__ import annotations

from .extractor import Extractor
from .span import Span
from .tokens import Token, sentences, tokenize

__all__ = ["Extractor", "Span", "Token", "sentences", "tokenize"]
