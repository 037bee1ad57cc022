"""Who may change the store from the page.

Hosted copies are read-only by default: a page opened through any address but this machine's own
(localhost) lets nobody add, correct or delete until an admin secret is configured
(PLACEWIRE_ADMIN, a Streamlit secret or environment variable) and entered; then whoever enters it
may edit for the rest of their session. On a laptop, opened at localhost with no secret set,
editing is on.
"""
from __future__ import annotations

import hmac
import os

import streamlit as st


def admin_secret() -> str | None:
    """The configured admin secret, or None when there is none (editing open to all)."""
    value = os.environ.get("PLACEWIRE_ADMIN")
    if not value:
        try:
            value = st.secrets.get("PLACEWIRE_ADMIN")
        except Exception:  # no secrets.toml at all: same as no secret
            value = None
    return str(value) if value else None


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def opened_locally() -> bool:
    """Whether the browser reached the page at this machine's own address (a laptop), judged by
    the Host header; a script run without a browser (AppTest, bare mode) counts as local."""
    host = (st.context.headers or {}).get("Host")
    if not host:
        return True
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.lower() in _LOCAL_HOSTS


def can_edit() -> bool:
    secret = admin_secret()
    if secret is None:
        return opened_locally()
    return st.session_state.get("admin_ok") is True


def who() -> str:
    """Who is editing, for the corrections log: "admin" (unlocked with the secret) or "local"
    (a laptop, where editing is open without one)."""
    return "admin" if admin_secret() is not None and can_edit() else "local"


def unlock() -> None:
    """The sidebar control that unlocks editing with the secret (shown only when one is set)."""
    secret = admin_secret()
    if secret is None:
        if not opened_locally():
            st.caption("Read-only: this copy has no admin secret, so nobody can add, correct or "
                       "delete here.")
        return
    if st.session_state.get("admin_ok"):
        st.caption("Editing unlocked for this session.")
        return
    with st.form("admin_form", border=False):
        given = st.text_input("Admin secret", type="password", key="admin_secret")
        if st.form_submit_button("Unlock editing"):
            if hmac.compare_digest(given.encode(), secret.encode()):
                st.session_state["admin_ok"] = True
                st.rerun()
            st.error("That is not the admin secret.")
    st.caption("Read-only: adding, correcting and deleting need the admin secret.")
