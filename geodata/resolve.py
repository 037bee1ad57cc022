"""Choose the place each name refers to, using the whole document as context.

Population alone misleads (many Syrian towns have population 0 in GeoNames; "Homs", "Ariha",
"Antioch" have bigger namesakes elsewhere), so a candidate's score adds to a weak prior what
the document says: the countries it is about, the states or governorates it names, "X, Y"
pairs, words like "province" or "city" after the name, and closeness to the other places.
"""
from __future__ import annotations

import hashlib
import marshal
import math
from collections import Counter
from dataclasses import dataclass

from .cache import Recent, ResolutionCache
from .extract import Span
from .gazetteer import Candidate
from .geocoder import nominatim_place, raw_to_candidate
from .borders import border_point
from .distance import distance_km, nearest_km
from .model import Mention, Place

_KIND_PRIOR = {"country": 3.4, "continent": 2.8, "admin1": 2.8, "region": 2.4, "admin2": 0.6}
# Below this score a single-word name is more likely a word or a person than a place.
MIN_SCORE = 1.2


@dataclass
class _Scored:
    cand: Candidate
    score: float


def _prior(c: Candidate) -> float:
    p = c.place
    if p.kind == "city":
        base = 2.6 * math.log10(p.population + 1) / 7.0 + (0.6 if c.capital else 0.0)
    else:
        base = _KIND_PRIOR.get(p.kind, 1.0)
    # the user's own places win over the packaged data they extend
    return base + (0.3 if c.primary else 0.0) + (4.0 if p.id.startswith("user:") else 0.0)


class Resolver:
    """Resolves a document's spans in two passes: priors and countries, then local context."""

    def __init__(self, geocoder, cache: ResolutionCache | None = None, online=None) -> None:
        self.geocoder = geocoder
        self.online = online  # a callable geopy geocode (Nominatim) for names the index lacks
        self.cache = cache or ResolutionCache(None)
        self._known = Recent(20_000)  # (key, how) -> candidates: bounded, so memory stays flat

    def candidates(self, key: str, how: str = "exact") -> list[Candidate]:
        """The geocoder's answer for a name key, through the persistent cache. `how` is "exact",
        "loose" (transliteration skeleton) or "demonym"."""
        known = self._known.get((key, how))
        if known is not None:
            return known
        source = f"gazetteer-{how}"
        answer = self.cache.geocode(source, key)
        if answer is None:
            answer = [loc.raw for loc in self.geocoder.geocode(
                key, exactly_one=False, loose=how == "loose", demonym=how == "demonym")]
            self.cache.put_geocode(source, key, answer)
        known = [raw_to_candidate(r) for r in answer]
        self._known.put((key, how), known)
        return known

    def _span_candidates(self, s: Span, text: str) -> list[Candidate]:
        if s.unknown:
            return self._online_candidates(s.key, text[s.start:s.end])
        if s.loose:  # only the spellings' places near the story's (the extractor's choice)
            return [c for c in self.candidates(s.key, "loose") if c.place.id in s.loose]
        return self.candidates(s.key, "demonym" if s.demonym else "exact")

    def _online_candidates(self, key: str, name: str) -> list[Candidate]:
        """The online geocoder's answer for a name the gazetteer lacks (asked as written, cached
        by its key like the rest)."""
        if self.online is None:
            return []
        answer = self.cache.geocode("nominatim", key)
        if answer is None:
            loc = self.online(name, addressdetails=True, language="en")
            answer = [nominatim_place(loc)] if loc else []
            self.cache.put_geocode("nominatim", key, answer)
        return [raw_to_candidate(r) for r in answer]

    def resolve(self, text: str, spans: list[Span]) -> list[Mention]:
        cands = [self._span_candidates(s, text) for s in spans]
        # a name repeated in a document is weighed once per pass (same name, same answer)
        vote_of: dict[tuple, dict] = {}
        pick_of: dict[tuple, _Scored | None] = {}
        # the document's tally, and each name's own: a name's context is the difference, so a
        # name repeated five times never votes for itself
        whole, own = _Tally(), {}
        for s, cs in zip(spans, cands):
            reading = (s.key, s.demonym, s.loose, s.unknown)
            if reading not in vote_of:
                vote_of[reading] = self._vote(s, cs)
            whole.add_vote(vote_of[reading])
            own.setdefault(s.key, _Tally()).add_vote(vote_of[reading])
        countries = Counter(whole.countries)
        # first pass: each name's likeliest reading, from its prior and the countries alone
        base = _Context.of(countries)
        first = []
        for s, cs in zip(spans, cands):
            reading = (s.key, s.demonym, s.loose, s.unknown, s.qualifier)
            if reading not in pick_of:
                pick_of[reading] = self._pick(s, cs, base, "")
            first.append(pick_of[reading])
        top_country = countries.most_common(1)[0][0] if countries else ""
        # second pass: the other names' first readings join their votes as context
        for s, pick in zip(spans, first):
            whole.add_pick(pick)
            own[s.key].add_pick(pick)
        mentions = []
        contexts: dict[str, tuple[_Context, str]] = {}
        # one sense per document: a name in the same context resolves as it first did, however
        # it is read again ("Canadian" the demonym, then "a Canadian."); across documents the
        # cache answers only for the same reading, so no other document's decides this one's
        sense: dict[tuple[str, str], tuple] = {}
        for s, cs in zip(spans, cands):
            if s.key not in contexts:
                ctx = whole.context_without(own[s.key])
                contexts[s.key] = ctx, ctx.key()
            ctx, ctx_key = contexts[s.key]
            cache_ctx = f"{ctx_key}|{s.qualifier}|{s.after}"
            hit = sense.get((s.key, cache_ctx))
            if hit is None:
                hit = self.cache.resolution(s.key, cache_ctx + _reading(s))
                if hit is None:
                    best = self._pick(s, cs, ctx, s.after)
                    hit = (best.cand.place.id, round(best.score, 3)) if best else (None, 0.0)
                    self.cache.put_resolution(s.key, cache_ctx + _reading(s), *hit)
                sense[(s.key, cache_ctx)] = hit
            place_id, score = hit
            chosen = next((c for c in cs if c.place.id == place_id), None)
            if chosen is None:
                continue
            if not s.demonym and score < MIN_SCORE:
                continue
            place, kind = chosen.place, "demonym" if s.demonym else "toponym"
            if s.border:
                border = self._border(chosen.place, countries, ctx.centre())
                if border:
                    place, kind = border, "toponym"
            mentions.append(Mention(
                start=s.start, end=s.end, surface=text[s.start:s.end], sent_start=s.sentence[0],
                sent_end=s.sentence[1], kind=kind, norm=s.key, context=top_country, place=place,
                score=min(1.0, score / 6.0), candidates=tuple(c.place.id for c in cs[:8])))
        return mentions

    def _border(self, country: Place, countries: Counter, centre) -> Place | None:
        """The stretch of `country`'s border with the story's main country nearest its places."""
        other = next((cc for cc, _ in countries.most_common() if cc != country.country), None)
        point = border_point(country.country, other, centre) if other else None
        if point is None:
            return None
        neighbour = self.geocoder.gazetteer.country(other)
        name = f"{country.name}–{neighbour.name if neighbour else other} border"
        return Place(f"border:{country.country}-{other}:{point[0]:.2f},{point[1]:.2f}", name,
                     "region", other, point[0], point[1])

    def _near_shares(self, countries: tuple) -> dict[str, float]:
        """For each country bordering the story's, the story's share of its neighbours, unless it
        has its own: Israeli jets over Gaza are over Palestine's Gaza, not Mozambique's."""
        own = dict(countries)
        near: dict[str, float] = {}
        for cc, v in countries:
            for other in self.geocoder.gazetteer.neighbours.get(cc, ()):
                if other not in own:
                    near[other] = near.get(other, 0.0) + v
        return near

    @staticmethod
    def _vote(s: Span, cs) -> dict[str, float]:
        """One name's say in the document's countries: a country or demonym counts fully, an
        ambiguous name splits its vote over its readings' countries by their priors."""
        if not cs:
            return {}
        best = max(cs, key=_prior)
        if best.place.kind == "country" or s.demonym:
            return {best.place.country: 1.0}
        weights: dict[str, float] = {}
        for c in cs:
            if c.place.country:
                weights[c.place.country] = max(weights.get(c.place.country, 0.0), _prior(c))
        total = sum(weights.values()) or 1.0
        return {cc: 0.5 * w / total for cc, w in weights.items()}

    def _pick(self, s: Span, cs, ctx: "_Context", after_key: str) -> _Scored | None:
        if not cs:
            return None
        total = sum(v for _, v in ctx.countries) or 1.0
        share = dict(ctx.countries)
        # neighbours weigh only for a name none of whose readings lies in the story's countries
        bordering = {} if any(c.place.country in share for c in cs) else self._near_shares(
            ctx.countries)
        after = self.candidates(after_key) if after_key else []
        after_ids = {c.place.id for c in after}
        after_cc = {c.place.country for c in after}
        admin1s = dict(ctx.admin1s)
        best = None
        # a city named like the province it lies in ("Aleppo", "Deir ez-Zor") is what a bare
        # name means; "Idlib province" says otherwise through the qualifier
        seats = {c.place.id for c in cs if c.place.kind == "city" and c.place.population >= 50_000
                 and any(o.place.id == c.admin1_id or o.place.kind == "admin1"
                         and o.place.country == c.place.country and o.place.name == c.place.name
                         for o in cs)}
        top = max(cs, key=_prior)
        for c in cs:
            p = c.place
            if self._namesake(c, top) and not (
                    c.admin1_id in after_ids or p.country in after_cc or s.qualifier == p.kind
                    or top.place.kind == "city" and c.admin1_id in ctx.named_admin1s
                    or _local_support(p, ctx.local)):
                # a small namesake of a country, a state, an ocean or a world city is meant only
                # when the text says so ("China, Texas"; "Paris" in a story naming Texas), not
                # because it lies near the story's other places
                continue
            country = 2.0 * share.get(p.country, 0.0) + 0.5 * bordering.get(p.country, 0.0)
            score = _prior(c) + country / total
            if p.id in seats:
                score += 1.0
            if s.qualifier:
                score += 2.0 if s.qualifier == p.kind else -0.5
            if after:
                if c.admin1_id in after_ids:
                    score += 3.0
                elif p.country in after_cc and p.id not in after_ids:
                    score += 1.5
            if c.admin1_id in admin1s:
                score += 1.0 + 0.2 * min(admin1s[c.admin1_id], 3)
            if p.kind == "admin1" and p.id in admin1s:
                score += 1.0  # other names of the document lie in it
            if ctx.anchors and p.kind in ("city", "admin2"):
                near = nearest_km(p.lat, p.lon, ctx.anchors)
                score += 1.5 * math.exp(-near / 150.0)
            if best is None or score > best.score:
                best = _Scored(c, score)
        return best

    @staticmethod
    def _namesake(c: Candidate, top: Candidate) -> bool:
        """Whether c is a small town named like a far better-known place `top`: China, Texas;
        England, Arkansas; Oxford, Nova Scotia beside Oxford, England."""
        p, t = c.place, top.place
        if c is top or p.kind not in ("city", "admin2") or p.population >= _NAMESAKE_POPULATION:
            return False
        if t.kind in ("country", "continent", "region", "admin1"):
            return True
        return t.kind == "city" and t.population >= 100_000 and t.population > 20 * p.population


# A town this size is known in its own right, whatever bigger place shares its name.
_NAMESAKE_POPULATION = 100_000


def _local_support(p: Place, local: tuple) -> bool:
    """Whether the story's other towns and counties surround p: one within 40 km, or two
    within 100 ("Palestine" in a story of Anderson County and Crockett is Palestine, Texas).
    A state's or country's centre is no such evidence: "goods from China hurt Texas farmers"."""
    near = [d for d in (distance_km(p.lat, p.lon, a[0], a[1]) for a in local) if d <= 100.0]
    return any(d <= 40.0 for d in near) or len(near) >= 2


def _reading(s: Span) -> str:
    """How a name was read, for the cache key: a cached answer must be the answer the same
    reading would compute (a loose spelling chooses among its nearby places only)."""
    if s.unknown:
        return "|online"
    if s.loose:
        return "|loose:" + hashlib.sha1(" ".join(s.loose).encode()).hexdigest()[:16]
    return "|demonym" if s.demonym else ""


class _Tally:
    """Sums of what names say about a document: country votes, and from their first readings
    the states they lie in and their points. One per document, one per name: subtracting
    the name's from the document's gives its context in one step, however often it recurs."""

    __slots__ = ("countries", "admin1s", "named", "anchors", "local", "_sorted")

    def __init__(self) -> None:
        self.countries: dict[str, float] = {}
        self.admin1s: dict[str, int] = {}
        self.named: dict[str, int] = {}  # the states the document names itself
        self.anchors: dict[tuple[float, float], int] = {}
        self.local: dict[tuple[float, float], int] = {}  # the points of towns and counties

    def add_vote(self, vote: dict[str, float]) -> None:
        for cc, weight in vote.items():
            self.countries[cc] = self.countries.get(cc, 0.0) + weight

    def add_pick(self, pick: _Scored | None) -> None:
        if pick is None:
            return
        place = pick.cand.place
        if place.kind == "admin1":
            admin1 = place.id
            self.named[admin1] = self.named.get(admin1, 0) + 1
        elif place.kind in ("city", "admin2"):
            admin1 = pick.cand.admin1_id
        else:
            return
        if admin1:
            self.admin1s[admin1] = self.admin1s.get(admin1, 0) + 1
        point = (round(place.lat, 2), round(place.lon, 2))
        self.anchors[point] = self.anchors.get(point, 0) + 1
        if place.kind != "admin1":
            self.local[point] = self.local.get(point, 0) + 1

    def context_without(self, part: "_Tally") -> "_Context":
        """The context this tally (the document's) gives a name whose own tally is `part`."""
        if not hasattr(self, "_sorted"):  # once a document: most names take nothing from these
            self._sorted = (sorted(self.admin1s.items()), sorted(self.anchors.items()),
                            sorted(self.named.items()), sorted(self.local.items()))
        admin1s, anchors, named, local = self._sorted
        if part.admin1s:
            admin1s = [(k, n - part.admin1s.get(k, 0)) for k, n in admin1s
                       if n - part.admin1s.get(k, 0) > 0]
        if part.anchors:
            anchors = [(a, n) for a, n in anchors if n - part.anchors.get(a, 0) > 0]
        if part.named:
            named = [(k, n) for k, n in named if n - part.named.get(k, 0) > 0]
        if part.local:
            local = [(a, n) for a, n in local if n - part.local.get(a, 0) > 0]
        countries = {cc: v - part.countries.get(cc, 0.0) for cc, v in self.countries.items()}
        return _Context(_Context.of(countries).countries, tuple(admin1s),
                        tuple(a for a, _ in anchors), tuple(k for k, _ in named),
                        tuple(a for a, _ in local))


@dataclass(frozen=True)
class _Context:
    """What the rest of a document says, rounded so that it can key the resolution cache: the
    same name in the same context always resolves the same way."""

    countries: tuple[tuple[str, float], ...]
    admin1s: tuple[tuple[str, int], ...] = ()
    anchors: tuple[tuple[float, float], ...] = ()
    named_admin1s: tuple[str, ...] = ()  # states the rest of the document names itself
    local: tuple[tuple[float, float], ...] = ()  # points of its towns and counties

    @classmethod
    def of(cls, countries: dict[str, float]) -> "_Context":
        """The context of the countries alone (the first pass)."""
        return cls(tuple(sorted((cc, round(v, 2)) for cc, v in countries.items() if v > 0)))

    def key(self) -> str:
        # marshal's format 2 (no back-references) is the same bytes for equal values, and eight
        # times faster to write than a repr of the floats
        data = marshal.dumps((self.countries, self.admin1s, self.anchors, self.named_admin1s,
                              self.local), 2)
        return hashlib.sha1(data).hexdigest()[:16]

    def centre(self):
        if not self.anchors:
            return None
        return (sum(a[0] for a in self.anchors) / len(self.anchors),
                sum(a[1] for a in self.anchors) / len(self.anchors))
