"""The page's pieces, one module each. Every piece is a function taking plain data (lists, dicts,
dataclasses from geodata.queries) and drawing it with streamlit; app.py composes them."""
