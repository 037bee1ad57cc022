"""Correct a pin, see first what the correction will change, and undo one: the page's side of
geodata.corrections (the page writes only through geodata.store).

The form (in the reader) picks a name in the article, what it is (another place the gazetteer
knows, or not a place) and which mentions: this one, every one of the name in this article, or
every one in its context ("in articles about Syria"), now and in later ingests. Before saving it
says how many mentions in how many articles will change and lists them. The log (in the
sidebar) lists every correction, who made it and when, from -> to, each with an Undo.
"""
from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Callable

import streamlit as st

from components.loaders import gazetteer_places
from components.markup import KIND_LABELS, esc, excerpt_html, md_escape
from geodata import corrections, queries
from geodata.exceptions import CorrectionError
from geodata.model import Place
from geodata.store import Store

NOT_A_PLACE = "Not a place"
OTHER_PLACE = "Another place"
PREVIEW_ROWS = 50  # listed before saving; the count says how many in all


def _label(p: Place) -> str:
    where = ", ".join(x for x in (p.admin1, p.country) if x)
    return f"{p.name} ({KIND_LABELS.get(p.kind, p.kind)}{', ' + where if where else ''}; {p.lat:.2f}, {p.lon:.2f})"


def _place_words(name: str | None, kind: str | None, place_id: str | None) -> str:
    if place_id is None:
        return "not a place"
    return f"{name or place_id} ({KIND_LABELS.get(kind or '', kind or 'place')})"


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def show(store_path: Path, article: dict, *, editable: bool, who: str,
         on_corrected: Callable[[], None]) -> None:
    """The correction form for the mentions of one article, with its preview."""
    if st.session_state.get("correct_done"):
        st.success(st.session_state.pop("correct_done"))
    mentions = [m for m in article["mentions"] if m.get("status") != "rejected"]
    if not mentions:
        st.caption("No place names were found in this article.")
        return
    chosen = st.selectbox(
        "Name in the text", mentions, key="correct_mention",
        format_func=lambda m: f"{m['surface']} (character {m['start']}) → "
                              f"{_place_words(m['place_name'], m['place_kind'], m['place_id'])}",
    )
    action = st.radio("It is", (OTHER_PLACE, NOT_A_PLACE), key="correct_action", horizontal=True)
    place = None
    if action == OTHER_PLACE:
        other = st.text_input("Look up another name (optional)", key="correct_lookup",
                              placeholder=chosen["surface"])
        options = [p for p in gazetteer_places(other.strip() or chosen["surface"])[:30]
                   if p.id != chosen["place_id"]]
        if not options:
            st.caption("The gazetteer knows no other place by that name; type another spelling.")
            return
        place = st.selectbox("Place", options, key="correct_place", format_func=_label)
    with closing(queries.connect(store_path)) as conn:
        plans = {scope: corrections.preview(conn, chosen["mention_id"], scope, place.id if place else None)
                 for scope in corrections.SCOPES}
        context = corrections.context_words(conn, chosen["context"])
    scope = st.radio(
        "Which mentions", corrections.SCOPES, key="correct_scope",
        format_func=lambda s: f"{corrections.scope_words(s, chosen['surface'], context)} "
                              f"({_n(plans[s].mentions, 'mention')})",
        help="Only a correction of every mention in this context also applies to articles added later.",
    )
    plan = plans[scope]
    _preview(plan, place)
    if not editable:
        st.caption("Read-only: corrections need the admin secret.")
    if st.button("Save correction", key="correct_save", type="primary",
                 disabled=not editable or plan.mentions == 0):
        with Store(store_path) as store:
            done = store.correct(chosen["mention_id"], place, scope=scope, who=who)
        target = "not a place" if place is None else _label(place)
        st.session_state["correct_done"] = md_escape(
            f"“{chosen['surface']}” is now {target}: {_n(done.changed, 'mention')} in "
            f"{_n(done.articles, 'article')} changed (correction {done.id}; undo it in the sidebar's "
            "Corrections)."
        )
        on_corrected()
        st.rerun()


def _preview(plan: corrections.Preview, place: Place | None) -> None:
    """What saving would change: how many mentions in how many articles, and each of them."""
    if not plan.mentions:
        st.caption("Nothing to change: these mentions are already so.")
        return
    to = "not a place" if place is None else f"{place.name} ({KIND_LABELS.get(place.kind, place.kind)})"
    st.markdown(f"Saving changes **{_n(plan.mentions, 'mention')} in {_n(plan.articles, 'article')}**:")
    items = []
    for r in plan.rows[:PREVIEW_ROWS]:
        items.append(
            f'<li class="pw-preview" data-mention="{r["mention_id"]}"><small>{esc(r["published"] or "date unknown")} · '
            f'<i>{esc(r["title"])}</i></small><br>“{excerpt_html(r["sentence"], r["offset"], r["end"] - r["start"], r["place_kind"], 160)}”'
            f'<br><small>{esc(_place_words(r["place_name"], r["place_kind"], r["place_id"]))} → {esc(to)}</small></li>'
        )
    more = len(plan.rows) - PREVIEW_ROWS
    tail = f"<li><small>and {more} more</small></li>" if more > 0 else ""
    with st.container(height=min(60 + 70 * len(items), 260), border=True, key="correct_preview"):
        st.html(f'<ul style="margin:0;padding-left:1.1em;font-size:0.9rem">{"".join(items)}{tail}</ul>')


def _undo(store_path: Path, correction_id: int, who: str, on_undone: Callable[[], None]) -> None:
    try:
        with Store(store_path) as store:
            restored = store.undo_correction(correction_id, who=who)
    except CorrectionError as exc:
        st.session_state["undo_message"] = ("error", str(exc))
        return
    st.session_state["undo_message"] = (
        "success", f"Correction {correction_id} undone: {_n(restored, 'mention')} back as before.")
    on_undone()


def log(entries: list[dict], store_path: Path, *, editable: bool, who: str,
        on_undone: Callable[[], None], shown: int = 20) -> None:
    """Every correction, newest first: when, who, the name, from -> to, its scope and reach."""
    message = st.session_state.pop("undo_message", None)
    if message:
        (st.error if message[0] == "error" else st.success)(md_escape(message[1]))
    if not entries:
        st.caption("No corrections yet. Open an article and use “Correct a pin”.")
        return
    for e in entries[:shown]:
        scope = corrections.scope_words(e["scope"], e["surface"], e["context_words"])
        lines = [
            f"**{e['id']}** · {md_escape(e['made_at'])} UTC · {md_escape(e['who'])}",
            md_escape(f"“{e['surface']}”: {_place_words(e['from_name'], e['from_kind'], e['from_place'])} → "
                      f"{_place_words(e['to_name'], e['to_kind'], e['to_place'])}"),
            md_escape(f"{scope}; {_n(e['changed'], 'mention')} in {_n(e['articles'], 'article')}"),
        ]
        if e["article_title"]:
            lines.append(f"*{md_escape(e['article_title'])}*")
        if e["undone_at"]:
            lines.append(f"Undone {md_escape(e['undone_at'])} UTC by {md_escape(e['undone_by'])}")
        st.markdown("  \n".join(lines))
        if not e["undone_at"]:
            st.button("Undo", key=f"undo_{e['id']}", on_click=_undo, args=(store_path, e["id"], who, on_undone),
                      disabled=not editable or e["who"] == corrections.UNLOGGED,
                      help="Give every mention it changed its place, status and score from before")
    if len(entries) > shown:
        st.caption(f"{len(entries) - shown} older corrections: `python -m geodata corrections list`.")
