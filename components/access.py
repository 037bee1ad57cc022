"""Who may change the store from the page.

On a laptop (no admin secret configured) editing is on. Hosted, set PLACEWIRE_ADMIN as a
Streamlit secret or environment variable: viewers then read only, and whoever enters the secret
may add, correct and delete for the rest of their session.
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


def can_edit() -> bool:
    secret = admin_secret()
    return secret is None or st.session_state.get("admin_ok") is True


def unlock() -> None:
    """The sidebar control that unlocks editing with the secret (shown only when one is set)."""
    secret = admin_secret()
    if secret is None:
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
