"""The geoparser on real GeoNames data: what it must find, what it must not, and how it resolves."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from geopy.location import Location

from geodata import articles, paths
from geodata.cache import ResolutionCache
from geodata.extract import sentences
from geodata.gazetteer import load_gazetteer
from geodata.geocoder import GazetteerGeocoder
from geodata.names import norm, skeleton
from geodata.parser import Geoparser

from conftest import REPO, SHARED


@pytest.fixture(scope="module")
def parser(index_dir):
    return Geoparser(load_gazetteer(index_dir / "gazetteer.sqlite"), ResolutionCache(None))


def found(parser, text):
    return {(m.surface, m.kind, m.place.name, m.place.kind) for m in parser.parse(text)}


def surfaces(parser, text):
    return [m.surface for m in parser.parse(text)]


def test_mentions_are_spans_into_the_text(parser):
    text = "Shelling hit Saraqib and Maarat al-Numan, residents of Idlib province said."
    for m in parser.parse(text):
        assert text[m.start:m.end] == m.surface
        assert text[m.sent_start:m.sent_end].startswith("Shelling")


@pytest.mark.parametrize("spelling", ["Maarat al-Numan", "Maaret al-Numan", "Ma'arrat an-Nu'man",
                                      "Maarat al Numan"])
def test_transliteration_variants_of_one_town(parser, spelling):
    ms = parser.parse(f"Air strikes hit {spelling} in Idlib province on Sunday.")
    town = [m for m in ms if m.surface == spelling]
    assert town and town[0].place.country == "SY" and town[0].place.kind == "city"


@pytest.mark.parametrize("a,b", [("Khan Sheikhoun", "Khan Shaykhun"), ("Saraqeb", "Saraqib"),
                                 ("Tal Rifaat", "Tell Rifaat")])
def test_variant_pairs_resolve_to_the_same_place(parser, a, b):
    pa = parser.parse(f"Fighting near {a} in Syria's Idlib and Aleppo provinces.")
    pb = parser.parse(f"Fighting near {b} in Syria's Idlib and Aleppo provinces.")
    ida = {m.place.id for m in pa if m.surface == a}
    idb = {m.place.id for m in pb if m.surface == b}
    assert ida and ida == idb


def test_normalisation_keys_meet():
    assert norm("Ma'arrat an-Nu'man") == norm("Ma‘arrat an Nu‘mān") == "maarrat al numan"
    assert skeleton(norm("Khan Sheikhoun")) == skeleton(norm("Khan Shaykhun"))
    assert norm("W.Va.") != norm("Wva")


def test_possessive_and_admin_references(parser):
    ms = parser.parse("Russia halted strikes in Syria's Idlib region. Hundreds fled Idlib province. "
                      "Rockets hit residential areas in Aleppo city.")
    kinds = {(m.surface, m.place.kind) for m in ms}
    assert ("Idlib", "admin1") in kinds
    assert ("Aleppo", "city") in kinds
    assert ("Syria", "country") in kinds


def test_multiword_names_take_the_longest_match(parser):
    assert "Bab al-Hawa" in surfaces(parser, "Aid trucks crossed at Bab al-Hawa near Sarmada, Syria.")
    assert "New York" in surfaces(parser, "She flew from New York to Damascus.")


def test_demonyms_are_their_own_kind(parser):
    ms = parser.parse("Russian jets and Iranian-backed militias joined the Turkish army. Syrians fled.")
    dem = {m.surface: m.place.country for m in ms if m.kind == "demonym"}
    assert dem == {"Russian": "RU", "Iranian": "IR", "Turkish": "TR", "Syrians": "SY"}


@pytest.mark.parametrize("text", [
    "The Moscow Times reported the news.",
    "Fighters of the Free Idlib Army withdrew.",
    "She cooks with Aleppo pepper and washes with Aleppo soap.",
    "Hamas said the talks would go on.",
    "Most residents left. Along the road, families waited.",
    "In March and May, on Sunday and Friday, talks went on.",
    "Michael Jackson sang. Jackson later left.",
    '"There is no danger," Hartl said. Samples from the ducks were clean.',
    "Both Ebola and Marburg hemorrhagic fever spread; Reston ebolavirus did not.",
])
def test_no_place_where_there_is_none(parser, text):
    assert parser.parse(text) == []


def test_capitals_and_countries_speak_for_governments(parser):
    assert surfaces(parser, "Moscow says the truce holds, and Turkey said it agreed.") == [
        "Moscow", "Turkey"]


def test_hama_is_not_hamas(parser):
    assert surfaces(parser, "Hamas fighters were not in Hama, Syria.") == ["Hama", "Syria"]


def test_context_picks_the_syrian_namesake(parser):
    # "Homs" and "Ariha" have bigger or other namesakes; the document is about Syria
    ms = parser.parse("Government forces shelled Ariha and Homs as fighting in Syria's Idlib went on.")
    assert {m.surface: m.place.country for m in ms}["Ariha"] == "SY"
    assert {m.surface: m.place.country for m in ms}["Homs"] == "SY"


def test_comma_pair_picks_the_state(parser):
    ms = parser.parse("The fair in Paris, Texas drew crowds.")
    paris = [m for m in ms if m.surface == "Paris"][0]
    assert paris.place.country == "US" and paris.place.admin1 == "Texas"


def test_the_border_is_placed_on_the_border_near_the_story(parser):
    ms = parser.parse("Families fled Idlib and Aleppo to camps near the Turkish border in Syria.")
    border = [m for m in ms if m.surface == "Turkish border"][0]
    assert border.place.kind == "region" and "border" in border.place.name
    assert 35.8 < border.place.lat < 37.3 and 35.8 < border.place.lon < 38.0


def test_the_seed_article(parser):
    art = next(a for a in articles.load([REPO / "seeds"]) if isinstance(a, articles.Article))
    ms = parser.parse(art.text)
    places = {(m.place.name, m.place.kind) for m in ms if m.kind == "toponym"}
    assert {("Idlib", "admin1"), ("Aleppo", "city"), ("Syria", "country"), ("Turkey", "country"),
            ("Russia", "country"), ("Moscow", "city")} <= places
    assert any("border" in name for name, _ in places)
    assert {m.surface for m in ms if m.kind == "demonym"} >= {"Russian", "Syrian", "Iranian"}
    assert not any("Moscow Times" in art.text[m.start - 4:m.end + 6] for m in ms)


def test_the_gazetteer_is_a_geopy_geocoder(index_dir):
    geocoder = GazetteerGeocoder(load_gazetteer(index_dir / "gazetteer.sqlite"))
    loc = geocoder.geocode("Aleppo")
    assert isinstance(loc, Location) and abs(loc.latitude - 36.2) < 0.3
    many = geocoder.geocode("Springfield", exactly_one=False)
    assert len(many) > 5 and all(isinstance(x, Location) for x in many)
    assert geocoder.geocode("Xqzzyplace") is None


def test_a_second_ingest_asks_the_geocoder_nothing(index_dir, tmp_path):
    gaz = load_gazetteer(index_dir / "gazetteer.sqlite")
    text = art_text = next(a for a in articles.load([REPO / "seeds"])).text
    first = Geoparser(gaz, ResolutionCache(tmp_path / "cache.sqlite"))
    one = first.parse(text)
    first.flush()
    assert first.geocoder.calls > 0
    second = Geoparser(gaz, ResolutionCache(tmp_path / "cache.sqlite"))
    two = second.parse(art_text)
    assert second.geocoder.calls == 0
    assert [(m.start, m.place.id) for m in one] == [(m.start, m.place.id) for m in two]


def test_a_corrupt_cache_is_rebuilt_with_a_warning(tmp_path, caplog):
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    cache = ResolutionCache(path)
    cache.put_resolution("aleppo", "SY", "gn:170063", 3.0)
    cache.flush()
    assert "corrupt" in caplog.text
    assert ResolutionCache(path).resolution("aleppo", "SY") == ("gn:170063", 3.0)


def test_user_places_extend_the_gazetteer_and_win(data_dir):
    text = "Families reached Atmeh Seven from Aleppo in Syria."
    before = load_gazetteer()
    first = Geoparser(before, ResolutionCache(paths.cache_path(), before.fingerprint))
    assert "Aleppo" in [m.surface for m in first.parse(text)]  # GeoNames' Aleppo, now cached
    first.flush()
    (data_dir / "places.csv").write_text(
        "name,aliases,kind,country,admin1,lat,lon\n"
        "Camp Atmeh-7,Atmeh Seven,city,SY,Idlib,36.21,36.69\n"
        "Aleppo,,city,SY,Aleppo,36.0,37.0\n", encoding="utf-8")
    (data_dir / "gazetteer.sqlite").unlink()  # the shared index must not be rebuilt in place
    gaz = load_gazetteer()  # the user's file changes the fingerprint: rebuilt with it
    # the cache follows the new index: its answers for "aleppo" would hide the user's place
    p = Geoparser(gaz, ResolutionCache(paths.cache_path(), gaz.fingerprint))
    ms = {m.surface: m.place for m in p.parse(text)}
    assert ms["Atmeh Seven"].name == "Camp Atmeh-7"
    assert (ms["Aleppo"].lat, ms["Aleppo"].lon) == (36.0, 37.0)


def test_the_cache_drops_the_gazetteers_answers_when_the_index_changes(tmp_path):
    path = tmp_path / "cache.sqlite"
    cache = ResolutionCache(path, "index-1")
    cache.put_geocode("gazetteer-exact", "aleppo", [{"id": "gn:170063"}])
    cache.put_geocode("nominatim", "hbeit", [{"id": "osm:1"}])
    cache.put_resolution("aleppo", "ctx", "gn:170063", 3.0)
    cache.flush()
    same = ResolutionCache(path, "index-1")
    assert same.geocode("gazetteer-exact", "aleppo") and same.resolution("aleppo", "ctx")
    changed = ResolutionCache(path, "index-2")
    assert changed.geocode("gazetteer-exact", "aleppo") is None
    assert changed.resolution("aleppo", "ctx") is None
    assert changed.geocode("nominatim", "hbeit") == [{"id": "osm:1"}]  # online: kept


def test_a_cache_filled_under_one_index_never_answers_under_another(tmp_path):
    path = tmp_path / "cache.sqlite"
    old = ResolutionCache(path, "index-1")  # a process still on the old index (the page)
    new = ResolutionCache(path, "index-2")  # after `gazetteer add` or a rebuild: drops what was
    for cache, place in ((old, "gn:1"), (new, "gn:2")):
        cache.put_geocode("gazetteer-exact", "aleppo", [{"id": place}])
        cache.put_resolution("aleppo", "ctx", place, 3.0)
    new.flush()
    old.flush()  # written after the drop, into a file the new index has taken over
    # read-only (a worker), which drops nothing; then as the writer of the new index
    for cache, place in ((ResolutionCache(path, "index-1", read_only=True), "gn:1"),
                         (ResolutionCache(path, "index-2", read_only=True), "gn:2"),
                         (ResolutionCache(path, "index-2"), "gn:2")):
        assert cache.geocode("gazetteer-exact", "aleppo") == [{"id": place}]
        assert cache.resolution("aleppo", "ctx") == (place, 3.0)
    other = ResolutionCache(path, "index-3", read_only=True)
    assert other.geocode("gazetteer-exact", "aleppo") is None and other.resolution("aleppo", "ctx") is None


def test_a_stale_or_corrupt_index_is_rebuilt(tmp_path):
    path = tmp_path / "gazetteer.sqlite"
    path.write_bytes(b"garbage")
    gaz = load_gazetteer(path)
    assert "aleppo" in gaz.keys
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = 'old' WHERE key = 'fingerprint'")
    con.commit()
    con.close()
    assert "aleppo" in load_gazetteer(path).keys


def test_parse_command_writes_the_scorers_format(data_dir, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Russian jets struck Idlib, Syria."}) + "\n")
    dst = tmp_path / "out.jsonl"
    subprocess.run([sys.executable, "-m", "geodata", "parse", str(src), str(dst)], cwd=REPO,
                   check=True, timeout=300)
    line = json.loads(dst.read_text())
    assert line["id"] == "a"
    keys = {"start", "end", "name", "lat", "lon", "geonameid", "kind", "country", "score",
            "role", "event_type", "trigger"}
    assert all(set(t) == keys for t in line["toponyms"])
    kinds = {t["name"]: (t["kind"], t["country"]) for t in line["toponyms"]}
    assert kinds["Russian"] == ("demonym", "RU") and kinds["Syria"] == ("country", "SY")
    assert kinds["Idlib"] in {("city", "SY"), ("admin1", "SY")}
    roles = {t["name"]: (t["role"], t["event_type"]) for t in line["toponyms"]}  # geodata.roles
    assert roles == {"Russian": ("actor", None), "Idlib": ("event", "strike/shelling"),
                     "Syria": ("event", "strike/shelling")}


@pytest.mark.skipif(not (SHARED / "corpora" / "score.py").exists(),
                    reason="the annotated corpora live in ../shared, present here and in CI")
def test_eval_scores_a_corpus_slice(data_dir, tmp_path):
    gold = tmp_path / "gold.jsonl"
    lines = (SHARED / "corpora" / "trnews.jsonl").read_text().split("\n")[:15]
    gold.write_text("\n".join(lines) + "\n")
    run = subprocess.run([sys.executable, "-m", "geodata", "eval", str(gold)], cwd=REPO,
                         check=True, capture_output=True, text=True, timeout=300)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["recognition_exact"]["f1"] > 0.6
    assert result["geocoding_exact"]["acc_at_161km_or_id"] > 0.6


def test_spelling_variants_are_found_near_the_story_only(parser):
    # "Heesh" is GeoNames' "Ḩīsh", 15 km from Khan Sheikhoun: found as a variant in a Syrian story
    ms = {m.surface: m.place for m in parser.parse(
        "Shelling hit Heesh and Mhambel near Khan Sheikhoun in Syria's Idlib province.")}
    assert ms["Heesh"].country == "SY" and abs(ms["Heesh"].lat - 35.55) < 0.1
    assert ms["Mhambel"].country == "SY"
    # the same loose lookup is not tried in an English-speaking country's story
    assert "Heesh" not in surfaces(parser, "Heesh and Mhambel met in Columbus, Ohio.")
    # nor on English words or people's names in a Syrian story
    assert surfaces(parser, "People said Media reports from Idlib were late.") == ["Idlib"]


def test_a_geonames_country_dump_extends_the_gazetteer(data_dir):
    (data_dir / "geonames").mkdir()
    (data_dir / "geonames" / "SY.txt").write_bytes(
        (REPO / "tests" / "fixtures" / "geonames" / "SY.txt").read_bytes())
    (data_dir / "gazetteer.sqlite").unlink()  # the shared index must not be rebuilt in place
    p = Geoparser(load_gazetteer(), ResolutionCache(None))
    ms = {m.surface: m.place for m in p.parse(
        "Shelling hit Kafrnabudah and Tell Tamer in Syria, near Hama.")}
    assert ms["Kafrnabudah"].geonameid == 9900001 and ms["Kafrnabudah"].country == "SY"
    assert ms["Tell Tamer"].id == "gn:9900002"


@pytest.mark.parametrize("name", ["Kafr Nabudah", "Hmeimim", "Kuweires", "Sheikh Maqsoud",
                                  "Moadamiyeh", "Tal Tamr", "Serekaniye", "Ain Issa"])
def test_places_of_the_war_missing_from_cities500_are_found(parser, name):
    # from the curated table and its aliases of GeoNames places (cities500 lacks these spellings)
    ms = parser.parse(f"Government forces shelled {name} on Tuesday, in northern Syria.")
    hit = [m for m in ms if m.surface == name]
    assert hit and hit[0].place.country == "SY"


def test_arabic_article_spelled_either_way(parser):
    ms = {m.surface: m.place for m in parser.parse("Fighting spread from al-Hader to Al-Raqqa, Syria.")}
    assert ms["al-Hader"].country == "SY" and ms["Al-Raqqa"].name == "Ar Raqqah"
    # a news outlet named with the article is not the town it may share a name with
    assert "Al-Ahram" not in surfaces(parser, "Ten died in Cairo, according to Al-Ahram.")


def test_a_sentence_opening_x_of_place_still_names_the_place(parser):
    assert surfaces(parser, "Most of Idlib province is held by rebels.") == ["Idlib"]
    assert surfaces(parser, "Residents of Saraqib said they fled to Turkey.") == ["Saraqib", "Turkey"]
    assert surfaces(parser, "Shelling of Khan Shaykhoun went on in Syria.") == ["Khan Shaykhoun",
                                                                                "Syria"]
    # nor does an organisation's name before "of" make a longer name of a well-known place
    assert surfaces(parser, "Bank of America opened in Texas.") == ["America", "Texas"]
    assert surfaces(parser, "The Mayor of London spoke, and Foreign Minister Sergei Lavrov of "
                            "Russia.") == ["London", "Russia"]


def test_a_short_name_ending_a_sentence_is_found(parser):
    # "Iraq." is no abbreviation: the next sentence must not join it into a longer name
    assert surfaces(parser, "Troops moved into Iraq. The UN protested.") == ["Iraq"]
    assert surfaces(parser, "Shelling hit Homs. Residents fled to Hama. Later it stopped.") == [
        "Homs", "Hama"]
    # while a real abbreviation keeps its sentence going
    text = "He lives in Evansville, Ind. He works in Gen. Motors' plant."
    assert sentences(text) == [(0, len(text))]


def test_a_possessive_keeps_its_qualifier(parser):
    ms = {m.surface: m.place for m in parser.parse("Russian jets struck Hama's countryside in Syria.")}
    assert ms["Hama"].kind == "admin1"


def test_a_name_the_rules_ruled_out_is_not_found_again_by_its_spelling(parser):
    # "Sochi talks" is an event; no Syrian or Turkish village of a similar spelling stands in
    assert surfaces(parser, "Moscow and Ankara agreed on a ceasefire in the Sochi talks.") == [
        "Moscow", "Ankara"]


def test_a_story_s_neighbours_weigh_for_a_name_it_does_not_place(parser):
    # Mozambique's Gaza province outranks Gaza City by kind; an Israeli story's Gaza is Palestine's
    ms = {m.surface: m.place for m in parser.parse("Israeli jets struck Gaza overnight.")}
    assert ms["Gaza"].country == "PS"
    # but a reading in the story's own country beats a bigger one next door (Rosh Ha'Ayin, IL)
    ms = {m.surface: m.place for m in parser.parse(
        "Syrian forces and Russian jets shelled Ras al-Ayn, near Idlib and Aleppo in Syria.")}
    assert ms["Ras al-Ayn"].country == "SY"


def test_a_person_s_title_or_agency_does_not_make_a_country_a_surname(parser):
    # the title rule marks the person's own words, up to "of"; a country ends no person's name
    assert surfaces(parser, "President Recep Tayyip Erdogan of Turkey spoke. Turkey will stay.") == [
        "Turkey", "Turkey"]
    assert "Canada" in surfaces(parser, "Environment Canada issued a warning. Snow fell across "
                                        "Canada.")


# --- reporting the parser has never seen: issue 11's classes, in sentences written for these
# tests (no corpus's), from several wars and ordinary news


@pytest.mark.parametrize("text,places", [
    # a person named in apposition, before or after: the name is no town
    ("Farah, a 30-year-old nurse in Idlib, said the hospital was hit twice.", ["Idlib"]),
    ("Qasim, 19, a volunteer with the civil defence, was wounded in Saraqib.", ["Saraqib"]),
    ("Olena, a teacher, said shelling hit Kharkiv every night.", ["Kharkiv"]),
    ("Aisha, 8, was pulled from the rubble in Jenin.", ["Jenin"]),
    ("The driver, Salem, said the road to Hodeidah was mined.", ["Hodeidah"]),
    ("Lincoln, a retired engineer, said the convoy left Mosul at dawn.", ["Mosul"]),
    ('"We have no water," said Mariam, who lives in Khan Younis.', ["Khan Younis"]),
    # a brand: flown, or driven with an article
    ("She flew Delta from Atlanta to Amman.", ["Atlanta", "Amman"]),
    ("He flew Emirates to Dubai after the talks.", ["Dubai"]),
    # ... but a country's flag is flown, and a flight goes from a city
    ("Protesters were flying Turkey's flag in Afrin.", ["Turkey", "Afrin"]),
    ("Fighters flying Syria's old flag entered Saraqib.", ["Syria", "Saraqib"]),
    ("She flew Damascus to Beirut last week.", ["Damascus", "Beirut"]),
    ("Cargo planes flew Kyiv to Warsaw twice a day.", ["Kyiv", "Warsaw"]),
    ("He drove a Lincoln to the checkpoint near Kherson.", ["Kherson"]),
])
def test_a_person_or_brand_is_no_small_town(parser, text, places):
    assert surfaces(parser, text) == places


@pytest.mark.parametrize("text,name,kind,country", [
    ("Tariffs on goods from China hurt Texas farmers.", "China", "country", "CN"),
    ("England beat Wales at Twickenham, while fans in Arkansas and Texas watched.", "England",
     "admin1", "GB"),
    ("Migrants crossed the Atlantic from Senegal to the Canary Islands.", "Atlantic", "region", ""),
    ("Jordan and Lebanon host most refugees, officials in Ohio said.", "Lebanon", "country", "LB"),
    ("Floods hit Florida and New York this week.", "Florida", "admin1", "US"),
])
def test_a_famous_place_beats_a_small_namesake_near_the_story(parser, text, name, kind, country):
    ms = {m.surface: m.place for m in parser.parse(text)}
    assert (ms[name].kind, ms[name].country) == (kind, country)


def test_the_small_namesake_still_wins_when_the_text_says_so(parser):
    ms = {m.surface: m.place for m in parser.parse("Cotton farms near China, Texas flooded.")}
    assert (ms["China"].kind, ms["China"].country, ms["China"].admin1) == ("city", "US", "Texas")
    # or when the story's own towns surround it: a local paper's Palestine is Palestine, Texas
    ms = {m.surface: m.place for m in parser.parse(
        "Deputies from Tyler and Athens joined Palestine police; a Crockett man was arrested "
        "near Elkhart. Palestine schools closed.")}
    assert ms["Palestine"].country == "US"


@pytest.mark.parametrize("text,places", [
    # datelines in capitals, short ones too: a dateline names a city
    ("ADEN (Reuters) - Yemen's government said talks would resume.", ["ADEN", "Yemen"]),
    ("GAZA — Hospitals ran out of fuel on Monday.", ["GAZA"]),
    ("HOMS (Reuters) - Shelling resumed overnight.", ["HOMS"]),
    ("LAGOS, Nigeria (AP) — Fuel prices rose.", ["LAGOS", "Nigeria"]),
    ("Police in Aleppo said three people were killed.", ["Aleppo"]),
    # a date after a name is no part of it
    ("Lagos April 4 (Reuters) - Nigeria's central bank raised rates.", ["Lagos", "Nigeria"]),
    ("Idlib Monday: fighting continued into the night.", ["Idlib"]),
    ("Kharkiv Tuesday: air raid sirens sounded twice.", ["Kharkiv"]),
    # two places joined by a hyphen, a road or a railway between them
    ("Traffic on the Damascus-Beirut highway was halted.", ["Damascus", "Beirut"]),
    ("The Kyiv-Odesa railway reopened after repairs.", ["Kyiv", "Odesa"]),
    # a country after "of": its embassy or ambassador
    ("Protesters gathered outside the Embassy of Turkey in Berlin.", ["Turkey", "Berlin"]),
    ("He met the Ambassador of France in Amman.", ["France", "Amman"]),
    # "as" is no Arabic article between two names
    ("Storms hit Georgia and Florida as Alabama braced.", ["Georgia", "Florida", "Alabama"]),
])
def test_rules_keep_real_places(parser, text, places):
    assert surfaces(parser, text) == places


def test_a_dateline_is_the_city_not_the_province(parser):
    for text, country in (("GAZA — Hospitals ran out of fuel on Monday.", "PS"),
                          ("HOMS (Reuters) - Shelling resumed overnight.", "SY")):
        (m,) = parser.parse(text)
        assert (m.place.kind, m.place.country) == ("city", country)


@pytest.mark.parametrize("text,places", [
    # a newsroom's, armed group's or party's name opened by a place is the organisation's
    ("The Damascus Media Network reported heavy shelling.", []),
    ("The Homs Revolutionary Council called for a strike.", []),
    ("Syria TV broadcast the footage from Idlib.", ["Idlib"]),
    ("The Kurdistan Islamic Party won two seats in Erbil.", ["Erbil"]),
    ("Aleppo Today showed the damage in Azaz.", ["Azaz"]),
    ("The Kyiv Independent reported explosions in Lviv.", ["Lviv"]),
    ("The Hama Military Council denied the report.", []),
    ("The Libya Observer said militias clashed in Tripoli.", ["Tripoli"]),
    # a news agency whose acronym spells a town
    ("SANA reported the strikes near Latakia.", ["Latakia"]),
    # a country's own army is named by it
    ("U.S. Army engineers arrived in Mosul.", ["U.S.", "Mosul"]),
])
def test_a_place_in_an_organisations_name_is_the_organisation(parser, text, places):
    assert [m.surface for m in parser.parse(text) if m.kind == "toponym"] == places


@pytest.mark.parametrize("text,demonym,country", [
    ("The Syrian Democratic Forces said they repelled an attack near Raqqa.", "Syrian", "SY"),
    ("The Lebanese Army deployed south of the Litani.", "Lebanese", "LB"),
    ("According to the Syrian Observatory for Human Rights, ten died.", "Syrian", "SY"),
])
def test_a_demonym_in_a_groups_name_stays_a_demonym(parser, text, demonym, country):
    ms = parser.parse(text)
    dem = [m for m in ms if m.surface == demonym]
    assert dem and dem[0].kind == "demonym" and dem[0].place.country == country
    assert not [m for m in ms if m.kind == "toponym" and m.surface == demonym]


@pytest.mark.parametrize("text,name,geonameid", [
    ("Wildfires spread across Alberta.", "Alberta", 5883102),
    ("Floods hit Queensland again.", "Queensland", 2152274),
    ("Shelling hit towns in Syria's Idlib province.", "Idlib", 169387),
])
def test_a_first_level_division_carries_its_geonames_id(parser, text, name, geonameid):
    ms = {m.surface: m.place for m in parser.parse(text)}
    assert ms[name].kind == "admin1" and ms[name].geonameid == geonameid


def test_a_city_named_like_a_province_of_its_country_is_what_the_bare_name_means(parser):
    # Gaza the city: not Mozambique's province of that name, nor the governorate around it
    for text in ("Doctors in Gaza said hospitals ran out of fuel.",
                 "Gaza Health Ministry said 30 died."):
        ms = {m.surface: m.place for m in parser.parse(text)}
        assert (ms["Gaza"].kind, ms["Gaza"].country) == ("city", "PS")


def test_a_title_after_a_peoples_name_marks_the_person(parser):
    text = ("Russian President Vladimir Putin met envoys. Critics of Vladimir said little. "
            "Turkish Foreign Minister Hakan Fidan spoke; Fidan later flew to Doha.")
    assert [m.surface for m in parser.parse(text) if m.kind == "toponym"] == ["Doha"]


def test_the_usual_spelling_of_a_countrys_long_name(parser):
    ms = parser.parse("Thousands were expelled from the Democratic Republic of Congo last year.")
    assert [(m.surface, m.place.country) for m in ms] == [("Democratic Republic of Congo", "CD")]
