"""geodata.articles on real files of every format, broken ones included, and on a local web server."""
from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from geodata.articles import (
    Problem,
    article_id,
    clean_paragraphs,
    find_date,
    load,
    load_bytes,
    load_file,
    parse_date,
)
from geodata.model import Article

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
BROKEN = FIXTURES / "broken"
SEED = REPO / "seeds" / "000_28c3ed94c38c146c.txt"
SHARED_SEED = REPO.parent / "shared" / "seeds" / "000_28c3ed94c38c146c.txt"


def split(items) -> tuple[list[Article], list[Problem]]:
    items = list(items)
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Problem)]


def only(path: Path) -> Article:
    articles, problems = split(load([path]))
    assert problems == []
    assert len(articles) == 1
    return articles[0]


# --- formats ---------------------------------------------------------------------------------


def test_txt_front_matter_gives_metadata_and_clean_body():
    a = only(FIXTURES / "article.txt")
    assert a.title == "Shelling Resumes Around Saraqeb as Truce Frays"
    assert (a.source, a.date) == ("Levant Wire", "2020-01-28")
    assert a.id == a.url == "https://levantwire.example/2020/01/28/shelling-resumes-saraqeb"
    assert a.text.startswith("Government forces shelled the outskirts of Saraqeb")
    assert a.text.endswith("in camps near Atmeh.")
    for junk in ("Support Levant Wire", "Jane Doe / AFP", "Read more", "Truce Frays", "---"):
        assert junk not in a.text
    assert a.text.count("\n\n") == 1  # two paragraphs kept apart
    assert a.origin == str(FIXTURES / "article.txt")


def test_markdown_heading_is_title_and_markup_goes():
    a = only(FIXTURES / "article.md")
    assert a.title == "Aid Convoy Reaches Atarib"
    assert (a.date, a.date_source) == ("2020-03-03", "dateline")  # "Published 3 March 2020" at the top
    assert "Bab al-Hawa into" in a.text and "fourteen trucks" in a.text
    for markup in ("#", "**", "*Northwest", "](", "https://example.org", "Share this article"):
        assert markup not in a.text
    assert a.id.startswith("sha1:") and a.url == ""


def test_html_main_text_and_metadata_without_site_furniture():
    a = only(FIXTURES / "page.html")
    assert a.title == "Clinics Close in Ariha After Air Strikes"
    assert (a.source, a.date) == ("Orontes Daily", "2020-02-04")
    assert a.url == "https://orontes.example/news/clinics-close-in-ariha"
    assert a.text.startswith("Two clinics in Ariha stopped work on Monday")
    assert a.text.endswith("asking not to be named for his safety.")
    assert len(a.text.split("\n\n")) == 3
    for furniture in ("Home", "Subscribe", "cookies", "Most read", "Football", "Copyright", "Privacy"):
        assert furniture not in a.text


def test_json_list():
    articles, problems = split(load([FIXTURES / "articles.json"]))
    assert problems == []
    assert [a.title for a in articles] == [
        "Turkish Troops Reinforce Posts in Idlib",
        "Displaced Families Crowd Camps Near Sarmada",
    ]
    assert [a.date for a in articles] == ["2020-02-10", "2020-02-12"]  # "12 February 2020" read
    assert articles[1].origin.endswith("articles.json item 2")
    assert articles[0].text.split("\n\n")[1].startswith("The convoy crossed at Kafr Lusin")


def test_windows_line_ends_and_front_matter():
    data = b"---\r\ntitle: Crossing Reopens\r\ndate: 2020-04-02\r\n---\r\nThe Bab al-Hawa crossing reopened.\r\n\r\nTrucks queued.\r\n"
    (a,) = load_bytes("crlf.txt", data)
    assert (a.title, a.date, a.text) == ("Crossing Reopens", "2020-04-02", "The Bab al-Hawa crossing reopened.\n\nTrucks queued.")


def test_json_single_object():
    data = b'{"title": "One", "date": "2020-04-01", "text": "Shelling hit Saraqeb overnight."}'
    (a,) = load_bytes("one.json", data)
    assert (a.title, a.date, a.text) == ("One", "2020-04-01", "Shelling hit Saraqeb overnight.")


def test_jsonl_with_each_date_fallback():
    articles, problems = split(load([FIXTURES / "articles.jsonl"]))
    assert problems == []
    by_title = {a.title: a for a in articles}
    assert by_title["Front Lines Shift West of Aleppo"].date == "2020-02-05"  # from the URL path
    assert by_title["Rockets Hit Residential Areas of Aleppo"].date == "2020-01-12"  # metadata
    assert by_title["Water Station Repaired in Afrin"].date is None  # nowhere: unknown
    assert by_title["Water Station Repaired in Afrin"].origin.endswith("articles.jsonl line 3")


def test_jsonl_lines_split_on_newlines_only():
    data = '{"text": "Aleppo\u2028and Idlib\u0085today."}\r\n{"text": "Saraqeb."}\n'.encode()
    assert [a.text for a in load_bytes("odd.jsonl", data)] == ["Aleppo\u2028and Idlib\u0085today.", "Saraqeb."]


def test_csv_rows_with_multiline_text():
    articles, problems = split(load([FIXTURES / "articles.csv"]))
    assert problems == []
    assert [a.origin.rsplit(" ", 1)[1] for a in articles] == ["2", "5", "6"]  # lines where rows start
    raids, market, bridge = articles
    assert raids.text == (
        "Residents of Jisr al-Shughur reported night raids by aircraft.\n\n"
        "Many families left for the Turkish border."
    )
    # "on February 20, 2020" is in the body, so it says when the market reopened, not when the
    # article was published
    assert (market.date, market.date_source) == (None, "unknown") and market.url == ""
    assert (bridge.source, bridge.date) == ("Coast Bureau", "2020-02-16")


def test_semicolon_csv_and_tsv():
    semi = "title;date;text\nA;2020-05-01;Clashes near Azaz.\n".encode()
    tsv = "title\tdate\ttext\nB\t2020-05-02\tClashes near Afrin.\n".encode()
    (a,) = load_bytes("semi.csv", semi)
    (b,) = load_bytes("tabs.tsv", tsv)
    assert (a.title, a.date, a.text) == ("A", "2020-05-01", "Clashes near Azaz.")
    assert (b.title, b.date, b.text) == ("B", "2020-05-02", "Clashes near Afrin.")


def test_csv_field_longer_than_the_csv_module_default():
    body = "Shelling hit Saraqeb again. " * 8_000  # 224 KB; csv's own field limit is 128 KB
    (a,) = load_bytes("long.csv", f'title,text\nLong,"{body}"\n'.encode())
    assert a.text == body.strip()


def test_rss_entries_with_html_stripped():
    articles, problems = split(load([FIXTURES / "feed.rss"]))
    assert problems == []
    schools, bakery = articles
    assert schools.title == "Schools Shut in Maarat al-Numan"
    assert schools.source == "Northwest Syria Bulletin"
    assert schools.date == "2019-12-15"  # the date as written, not shifted to UTC
    assert schools.id == "https://bulletin.example/schools-shut-maarat-al-numan"
    assert schools.text == (
        "Schools in Maarat al-Numan shut their doors as bombardment intensified.\n\n"
        "Teachers said most pupils had already left with their families."
    )
    assert bakery.text == "A bakery in Khan Sheikhoun was hit by an air strike, rescuers said."
    assert bakery.origin.endswith("feed.rss entry 2")


def test_atom_content_and_summary():
    articles, problems = split(load([FIXTURES / "feed.atom"]))
    assert problems == []
    airport, highway = articles
    assert airport.text == "The airport in Aleppo reopened to flights from Damascus for the first time in eight years."
    assert (airport.date, airport.source) == ("2020-02-19", "Aleppo Notes")
    assert highway.date == "2020-02-20"  # only <updated>
    assert highway.text.startswith("Traffic resumed on the M5 highway")


def test_folder_and_glob():
    from_folder, _ = split(load([FIXTURES]))
    titles = {a.title for a in from_folder}
    assert {"Clinics Close in Ariha After Air Strikes", "Airport Reopens in Aleppo", "Good Last Row"} <= titles
    from_glob, problems = split(load([str(FIXTURES / "*.json*")]))
    assert problems == []
    assert sorted({Path(a.origin.split(" ")[0]).name for a in from_glob}) == ["articles.json", "articles.jsonl"]


def test_upload_bytes_match_file():
    data = (FIXTURES / "feed.rss").read_bytes()
    uploaded = [a.id for a in load_bytes("feed.rss", data)]
    assert uploaded == [a.id for a in load([FIXTURES / "feed.rss"])]
    # No extension (a pasted upload): the content says it is a feed.
    assert [a.id for a in load_bytes("upload", data)] == uploaded


# --- the seed --------------------------------------------------------------------------------


def test_seed_copy_metadata_and_clean_body():
    a = only(SEED)
    assert a.title == "Russian-Led Air Strikes Suspended in Idlib After Ceasefire"
    assert a.source == "The Moscow Times"
    assert a.date == "2020-01-12"
    assert a.url == a.id == (
        "https://www.themoscowtimes.com/2020/01/12/"
        "russian-led-air-strikes-suspended-in-idlib-after-ceasefire-a68869"
    )
    assert a.text.startswith("Russia and its allies halted air strikes in Syria's Idlib region on Sunday")
    assert a.text.endswith(
        "killed in Syrian and Russian bombing of four main towns in Idlib province on Saturday, "
        "residents and rescuers said."
    )
    for junk in ("favor to ask", "Support The Moscow Times", "Baderkhan Ahmad", "Read more",
                 "Remind me later", "paiment", "Not ready to support", "foreign agent", "\xa0"):
        assert junk not in a.text
    assert "Moscow says its forces" in a.text  # body lines naming the site's city stay
    assert len(a.text.split("\n\n")) == 14  # the body's paragraphs, all of them


@pytest.mark.skipif(not SHARED_SEED.exists(), reason="../shared/seeds is not beside this checkout")
def test_raw_shared_seed_without_metadata():
    """As captured (no front matter): headline found, same body, and no date invented from 'on Sunday'."""
    raw = only(SHARED_SEED)
    assert raw.title == "Russian-Led Air Strikes Suspended in Idlib After Ceasefire"
    assert raw.text == only(SEED).text
    assert raw.date is None
    assert raw.id.startswith("sha1:")


# --- cleaning --------------------------------------------------------------------------------


def test_boilerplate_removed_generically():
    text = "\n\n".join([
        "Support The Guardian!",
        "Ceasefire Holds in Daraa",
        "John Smith / Reuters",
        "Photo: Omar Haj Kadour / AFP",
        "The ceasefire held in Daraa on Monday, residents said.",
        "Fighting in Idlib / Aleppo countryside continued, a monitor said.",
        "Support for the truce is growing!",
        "Before you go, we have a small favour to ask. Millions rely on our reporting.",
        "We need your help to keep it free for everyone.",
        "Please donate today. Thank you.",
        "Talks resume in Geneva next week, diplomats said.",
        "Read more",
        "Advertisement",
    ])
    assert clean_paragraphs(text, "Ceasefire Holds in Daraa") == [
        "The ceasefire held in Daraa on Monday, residents said.",
        "Fighting in Idlib / Aleppo countryside continued, a monitor said.",
        "Support for the truce is growing!",
        "Talks resume in Geneva next week, diplomats said.",
    ]


def test_title_removed_only_at_the_top():
    text = "Idlib Truce\n\nIdlib truce talks began.\n\nIdlib Truce"
    assert clean_paragraphs(text, "Idlib Truce") == ["Idlib truce talks began.", "Idlib Truce"]


def test_article_that_is_only_boilerplate_is_a_problem():
    articles, problems = split(load([BROKEN / "only_boilerplate.txt"]))
    assert articles == []
    assert [str(p) for p in problems] == [
        f"{BROKEN / 'only_boilerplate.txt'}: no article text (empty, or only site boilerplate); skipped"
    ]


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "url", "text", "expected"),
    [
        ("2020-01-12", "https://x.example/2019/05/06/a", "On 3 March 2018", ("2020-01-12", "metadata")),
        ("2020-01-12T23:30:00-05:00", "", "", ("2020-01-12", "metadata")),  # as written, not moved to UTC
        ("Sun, 12 Jan 2020 10:00:00 +0300", "", "", ("2020-01-12", "metadata")),
        ("12 January 2020", "", "", ("2020-01-12", "metadata")),
        ("January 12, 2020", "", "", ("2020-01-12", "metadata")),
        (None, "https://x.example/news/2020/01/12/story", "Published 3 March 2018", ("2020-01-12", "url")),
        (None, "https://x.example/2020-01-12-story", "", ("2020-01-12", "url")),
        (None, "https://x.example/2020/13/45/story", "Filed on January 9, 2020.", ("2020-01-09", "dateline")),
        (None, "", "Published 12th of January 2020", ("2020-01-12", "dateline")),
        (None, "", "By Jane Doe | Last updated: 12 Jan 2020 10:32 GMT\nShelling hit Idlib.", ("2020-01-12", "dateline")),
        (None, "", "Beirut, 12 January 2020 (SANA) - Shelling hit Idlib.", ("2020-01-12", "dateline")),
        (None, "", "Drumming up interest. BY RACHEL E. SHEELEY STAFF WRITER March 30, 2009 Richmond native Jeff",
         ("2009-03-30", "dateline")),  # LGL: headline, byline, date, then the story
        (None, "", "Rate boosts. Kathryn Prater kprater@lsj.com March 23, 2009 From LSJ.com Kids in the",
         ("2009-03-23", "dateline")),
        # a dateline without its year takes the URL's year, else stays unread (any year is a guess)
        (None, "https://x.example/world/2020/03/aleppo", "ALEPPO, Syria, March 3 (Reuters) - Forces advanced.",
         ("2020-03-03", "dateline")),
        (None, "https://x.example/world/2020/aleppo", "BEIRUT, March 3 (AFP) - Forces advanced.", ("2020-03-03", "dateline")),
        (None, "https://x.example/world/2020/04/aleppo", "ALEPPO, Syria, March 3 (Reuters) - Forces advanced.", (None, "unknown")),
        (None, "", "ALEPPO, Syria, March 3 (Reuters) - Syrian forces advanced.", (None, "unknown")),
        # dates in the body are what the story is about, never when it was published
        (None, "", "The talks ended on 31 January 2020 and resumed on 2 March 2020.", (None, "unknown")),
        (None, "", "Survivors remembered the massacre that began on 2 February 1982 in Hama.", (None, "unknown")),
        (None, "", "Obituary. Ms. Cohen was born to a Jewish family in Kermanshah on May 2, 1923. In her",
         (None, "unknown")),
        (None, "", "June V. Schell, age 91, died Thursday, March 5, 2009, at Cedar Manor.", (None, "unknown")),
        (None, "", "Lance Armstrong in a hotel in Palencia, Spain, Monday March 23, 2009. He", (None, "unknown")),
        (None, "", "On Jan. 19, 1967, right after the war.", (None, "unknown")),
        (None, "", "2 February 1982 - the day the siege of Hama began.", (None, "unknown")),
        (None, "", "Shelling resumed on Sunday and again yesterday, in March 2020.", (None, "unknown")),
        (None, "https://x.example/story-2020", "", (None, "unknown")),
        (None, "", "Published 15 April 2099", (None, "unknown")),  # a day to come: not a publication
        (None, "", "\n\n".join(["Shelling resumes.", "Aid arrives.", "Talks stall.", "Markets shut.",
                                 "Published 12 January 2020"]), (None, "unknown")),  # below the top
    ],
)
def test_date_sources_in_order(meta, url, text, expected):
    assert find_date(meta, url, text) == expected


# Every input format, dated by its metadata, by its URL, by its dateline, and undated with dates in
# its body (the two cases: a massacre's date in a .txt, an obituary's birth date).
BODY_DATES = ("Survivors in Idlib remembered the massacre that began on 2 February 1982 in Hama.\n\n"
              "Her mother, born in Aleppo on May 2, 1923, was among them.")
DATELINE = "ALEPPO, Syria, 3 March 2020 (Reuters) - Shelling hit Idlib.\n\n" + BODY_DATES


def as_format(fmt: str, text: str, date: str | None = None, url: str = "") -> tuple[str, bytes]:
    """One article as a file of format `fmt`: (file name, bytes)."""
    import json as _json
    from html import escape
    from xml.sax.saxutils import escape as xml_escape

    title = "Remembering Hama"
    if fmt in ("txt", "md"):
        head = "".join(f"{k}: {v}\n" for k, v in (("date", date), ("url", url)) if v)
        body = f"# {title}\n\n{text}" if fmt == "md" else f"{title}\n\n{text}"
        return f"a.{fmt}", ((f"---\n{head}---\n" if head else "") + body).encode()
    if fmt == "html":
        meta = f'<meta property="article:published_time" content="{date}">' if date else ""
        link = f'<link rel="canonical" href="{url}">' if url else ""
        paras = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
        return "a.html", (f"<html><head><title>{title}</title>{meta}{link}</head><body><article>"
                          f"<h1>{title}</h1>{paras}</article></body></html>").encode()
    record = {"title": title, "text": text} | ({"date": date} if date else {}) | ({"url": url} if url else {})
    if fmt == "json":
        return "a.json", _json.dumps(record).encode()
    if fmt == "jsonl":
        return "a.jsonl", (_json.dumps(record) + "\n").encode()
    if fmt == "csv":
        quoted = text.replace('"', '""')
        return "a.csv", f'title,date,url,text\n{title},{date or ""},{url},"{quoted}"\n'.encode()
    body = xml_escape(text.replace("\n\n", "<br/><br/>"))
    if fmt == "rss":
        when = f"<pubDate>{date}</pubDate>" if date else ""
        return "a.rss", (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title><item>'
                         f"<title>{title}</title><link>{url}</link>{when}<description>{body}</description>"
                         "</item></channel></rss>").encode()
    when = f"<published>{date}</published>" if date else ""
    return "a.atom", (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Feed</title>'
                      f'<entry><title>{title}</title><link href="{url}"/>{when}<id>x</id>'
                      f'<content type="html">{body}</content></entry></feed>').encode()


FORMATS = ("txt", "md", "html", "json", "jsonl", "csv", "rss", "atom")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("text", "date", "url", "expected"),
    [
        (BODY_DATES, "2020-01-12T08:00:00+02:00", "", ("2020-01-12", "metadata")),
        (BODY_DATES, None, "https://x.example/2020/02/03/hama", ("2020-02-03", "url")),
        (DATELINE, None, "", ("2020-03-03", "dateline")),
        (BODY_DATES, None, "", (None, "unknown")),
    ],
    ids=["metadata", "url", "dateline", "body-dates-only"],
)
def test_every_format_dated_by_its_source_never_by_the_body(fmt, text, date, url, expected):
    if fmt == "rss" and date:
        date = "Sun, 12 Jan 2020 08:00:00 +0200"  # RSS writes RFC 822
    name, data = as_format(fmt, text, date, url)
    articles, problems = split(load_bytes(name, data))
    assert problems == [] and len(articles) == 1
    a = articles[0]
    assert "2 February 1982" in a.text and "May 2, 1923" in a.text  # the body dates are there
    assert (a.date, a.date_source) == expected


def test_a_date_line_on_top_is_not_taken_for_the_headline():
    (a,) = load_bytes("a.txt", b"Published 12 January 2020\n\nShelling hit Idlib on Sunday.\n\nMore.")
    assert (a.date, a.date_source) == ("2020-01-12", "dateline")
    assert a.title == "Shelling hit Idlib on Sunday."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2020-13-45", "impossible date '2020-13-45' (month must be in 1..12)"),
        ("2021-02-29", "impossible date '2021-02-29' (day is out of range for month)"),
        ("yesterday", "unreadable date 'yesterday'"),
        ("soon", "unreadable date 'soon'"),
    ],
)
def test_bad_metadata_dates_raise(value, message):
    with pytest.raises(ValueError) as raised:
        parse_date(value)
    assert str(raised.value) == message


# --- identity --------------------------------------------------------------------------------


def test_identity_is_url_else_content_hash():
    body = "Clashes near Azaz."
    a = list(load_bytes("a.json", b'{"title": "A", "text": "Clashes near Azaz."}'))[0]
    b = list(load_bytes("b.jsonl", b'{"title": "B", "text": "  Clashes near Azaz.  \\n"}\n'))[0]
    assert a.id == b.id == article_id("", body)  # same clean text, same id, wherever it came from
    c = list(load_bytes("c.json", b'{"text": "Clashes near Azaz.", "url": "https://x.example/a#top"}'))[0]
    assert c.id == "https://x.example/a"
    d = list(load_bytes("d.json", b'{"text": "Clashes near Afrin."}'))[0]
    assert d.id != a.id


def test_loading_twice_gives_the_same_ids():
    first = [a.id for a in split(load([FIXTURES]))[0]]
    assert first == [a.id for a in split(load([FIXTURES]))[0]]
    assert len(first) == len(set(first))


# --- bad input -------------------------------------------------------------------------------


def problems_of(path: Path) -> list[str]:
    return [str(p) for p in load([path]) if isinstance(p, Problem)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "empty file; skipped"),
        ("blank.md", "empty file; skipped"),
        ("image.txt", "not a text file (looks like a PNG image); skipped"),
        ("nul.txt", "not a text file (looks like binary data); skipped"),
        ("notes.pdf", "not a text file (looks like a PDF); skipped"),
        ("latin.txt", "not valid UTF-8 (byte 0xe9 at offset 3); read as Windows-1252, check its accents"),
        ("bad_date.md", "impossible date '2020-13-45' (month must be in 1..12); date left unknown"),
        ("bad_yaml.txt", "front matter is not valid YAML (line 3: found unexpected end of stream); read without it"),
    ],
)
def test_bad_file_named_with_its_problem(name, message):
    assert problems_of(BROKEN / name) == [f"{BROKEN / name}: {message}"]


def test_wrong_encoding_still_reads_the_text():
    a = only_article(BROKEN / "latin.txt")
    assert a.text.startswith("Café owners in Ma’arrat al-Nu’man")
    assert a.date is None  # "said on 4 March 2020" is in the body: not when it was published


def only_article(path: Path) -> Article:
    (a,) = [i for i in load([path]) if isinstance(i, Article)]
    return a


def test_impossible_date_keeps_the_article_with_date_unknown():
    a = only_article(BROKEN / "bad_date.md")
    assert (a.title, a.date) == ("Impossible Date in Front Matter", None)


def test_truncated_json_keeps_whole_items():
    articles, problems = split(load([BROKEN / "truncated.json"]))
    assert [a.title for a in articles] == ["Checkpoint Moved Near Atmeh"]
    assert [str(p) for p in problems] == [
        f"{BROKEN / 'truncated.json'}: invalid or truncated JSON at line 3 column 124 "
        "(Invalid control character at); read the 1 complete items before it; the rest skipped"
    ]


def test_truncated_feed_reported_and_whole_entries_kept():
    articles, problems = split(load([BROKEN / "truncated.rss"]))
    assert [a.title for a in articles] == ["Whole Item Before the Cut"]
    origin = str(BROKEN / "truncated.rss")
    assert [str(p) for p in problems] == [
        f"{origin}: malformed or truncated feed (line 13: no element found); read the entries found",
        f"{origin} entry 2: no article text (empty, or only site boilerplate); skipped",
    ]


def test_malformed_jsonl_rows_named_and_the_rest_read():
    articles, problems = split(load([BROKEN / "rows.jsonl"]))
    origin = str(BROKEN / "rows.jsonl")
    assert [str(p) for p in problems] == [
        f"{origin} line 2: invalid JSON at column 82 (Expecting ',' delimiter); row skipped",
        f"{origin} line 3: expected an object with a 'text' field, found list; row skipped",
        f"{origin} line 4: no 'text' field (or it is empty); row skipped",
        f"{origin} line 5: impossible date '2020-13-45' (month must be in 1..12); date left unknown",
    ]
    assert [(a.title, a.date) for a in articles] == [
        ("Good First Row", "2020-03-05"),
        ("Row With Impossible Date", None),
        ("Good Last Row", "2020-03-09"),
    ]


def test_malformed_csv_rows_named_and_the_rest_read():
    articles, problems = split(load([BROKEN / "rows.csv"]))
    origin = str(BROKEN / "rows.csv")
    assert [str(p) for p in problems] == [
        f"{origin} line 3: expected 5 fields, found 6; row skipped",
        f"{origin} line 4: impossible date '2020-02-30' (day is out of range for month); date left unknown",
        f"{origin} line 5: no 'text' field (or it is empty); row skipped",
    ]
    assert [a.title for a in articles] == ["Good CSV Row", "Impossible CSV Date", "Last Good CSV Row"]


def test_csv_without_text_column():
    (p,) = load_bytes("people.csv", b"name,age\nAli,30\n")
    assert str(p) == "people.csv: no 'text' column (columns: name, age); skipped"


def test_file_over_the_size_limit_is_not_read(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:  # sparse: 50 MB on paper, nothing written
        f.truncate(50 * 1024 * 1024)
    assert problems_of(big) == [f"{big}: file is 50.0 MB, over the 20.0 MB limit; skipped"]
    small_limit = [str(p) for p in load([FIXTURES / "page.html"], max_bytes=1024)]
    assert small_limit == [f"{FIXTURES / 'page.html'}: file is 1.6 KB, over the 1.0 KB limit; skipped"]


def test_missing_paths_and_broken_links(tmp_path):
    (tmp_path / "dead.txt").symlink_to(tmp_path / "gone.txt")
    assert problems_of(tmp_path / "nope.txt") == [f"{tmp_path / 'nope.txt'}: no such file or folder"]
    assert problems_of(tmp_path / "dead.txt") == [f"{tmp_path / 'dead.txt'}: broken link: its target does not exist"]
    assert problems_of(tmp_path) == [f"{tmp_path / 'dead.txt'}: broken link: its target does not exist"]
    assert [str(p) for p in load([str(tmp_path / "*.csv")])] == [f"{tmp_path / '*.csv'}: no file matches this pattern"]


def test_unreadable_file(tmp_path):
    assert [str(p) for p in load_file(tmp_path)] == [f"{tmp_path}: cannot read the file: Is a directory"]


def test_utf16_and_bom_files_read(tmp_path):
    (tmp_path / "u16.txt").write_text("Shelling hit Saraqeb on 4 May 2020.", encoding="utf-16")
    (tmp_path / "bom.txt").write_text("Shelling hit Ariha on 5 May 2020.", encoding="utf-8-sig")
    articles, problems = split(load([tmp_path]))
    assert problems == []
    assert sorted(a.text for a in articles) == ["Shelling hit Ariha on 5 May 2020.", "Shelling hit Saraqeb on 4 May 2020."]


def test_a_batch_goes_on_past_every_broken_file():
    articles, problems = split(load([BROKEN, FIXTURES / "feed.rss"]))
    assert len(problems) == 19  # 13 broken files, some with several bad rows
    assert all(str(p).startswith(str(BROKEN)) for p in problems)
    assert articles[-1].title == "Bakery Hit in Khan Sheikhoun"  # the good file after the broken folder
    assert len(articles) == 11 + 2  # every readable row of the broken files, then the feed


# --- URLs, from a local server ---------------------------------------------------------------

PAGE_WITHOUT_DATE = (FIXTURES / "page.html").read_text().replace(
    '<meta property="article:published_time" content="2020-02-04T09:30:00+02:00">', ""
).replace('<link rel="canonical" href="https://orontes.example/news/clinics-close-in-ariha">', "")
ROUTES = {
    "/page.html": ("text/html; charset=utf-8", (FIXTURES / "page.html").read_bytes()),
    "/news/2020/02/03/clinics": ("text/html", PAGE_WITHOUT_DATE.encode()),
    "/feed": ("application/rss+xml", (FIXTURES / "feed.rss").read_bytes()),
    "/atom": ("application/xml", (FIXTURES / "feed.atom").read_bytes()),
}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path not in ROUTES:
            self.send_error(404, "Not Found")
            return
        content_type, body = ROUTES[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """A proxy set in the environment must not see the local server's requests."""
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


def test_article_url(server):
    a = only(f"{server}/page.html")
    assert a.title == "Clinics Close in Ariha After Air Strikes"
    assert (a.date, a.source) == ("2020-02-04", "Orontes Daily")
    assert a.id == "https://orontes.example/news/clinics-close-in-ariha"  # the page's canonical url
    assert a.origin == f"{server}/page.html"
    assert a.text.startswith("Two clinics in Ariha")


def test_article_url_without_metadata_dates_from_its_path(server):
    a = only(f"{server}/news/2020/02/03/clinics")
    assert a.url == f"{server}/news/2020/02/03/clinics"
    assert (a.date, a.date_source) == ("2020-02-03", "url")


def test_a_fetched_page_without_a_date_of_its_own_is_dated_by_its_url_without_a_problem():
    """As the feed follower hands a page over: its bytes and where it was fetched."""
    page = ("<html><head><title>School shelled</title></head><body><article><h1>School shelled</h1><p>"
            + "Shelling hit a school in Maarat al-Numan on Monday, residents said, and families fled. " * 4
            + "</p></article></body></html>").encode()
    found = list(load_bytes("page.html", page, origin="feed", url="https://gazette.example/c/2020/01/20/school",
                            content_type="text/html"))
    assert [type(x) for x in found] == [Article]  # no "unreadable date" for a date the page lacks
    assert (found[0].date, found[0].date_source) == ("2020-01-20", "url")


def test_feed_urls(server):
    rss, problems = split(load([f"{server}/feed", f"{server}/atom"]))
    assert problems == []
    assert [a.title for a in rss] == [
        "Schools Shut in Maarat al-Numan", "Bakery Hit in Khan Sheikhoun",
        "Airport Reopens in Aleppo", "Highway M5 Opens to Traffic",
    ]
    assert rss[0].origin == f"{server}/feed entry 1"


def test_url_problems_named(server):
    assert [str(p) for p in load([f"{server}/missing", "http://127.0.0.1:9/none"])] == [
        f"{server}/missing: cannot fetch: HTTP 404 Not Found",
        "http://127.0.0.1:9/none: cannot fetch: [Errno 111] Connection refused",
    ]
