"""Placewire's geoparser: articles in, resolved and cached place mentions out.

The data flows one way: articles -> mentions -> resolved places -> store. Nothing here
imports streamlit; the page in app.py/components/ only reads the store this package writes.
"""
