# Placewire as a container: the dashboard on port 8501, read-only unless PLACEWIRE_ADMIN is set.
#
#   docker build -t placewire .
#   docker run -p 8501:8501 -v placewire-data:/data placewire
#
# Everything comes from PyPI, the npm registry and Debian's archive at build time; nothing is
# fetched when the container runs.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PLACEWIRE_DATA=/data \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501

RUN useradd --create-home --uid 1000 placewire
WORKDIR /app

# Dependencies first, so a change of the code alone reuses these layers.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The map's JS/CSS from the npm registry into static/vendor/ (served by the app, so the map draws
# offline). Debian's node and npm do it and leave in the same layer: the image carries no Node.
COPY package.json package-lock.json ./
COPY components/__init__.py components/assets.py components/
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && python -m components.assets \
 && rm -rf node_modules /root/.npm \
 && apt-get purge -y --auto-remove nodejs npm \
 && rm -rf /var/lib/apt/lists/*

COPY . .

# The gazetteer index and the seed corpus, made once here rather than on the first visitor's
# request (the page opens on the seeds when nothing else was ingested). The page writes the map's
# data files into static/layers/, so that folder is the app user's.
RUN mkdir -p /data static/layers \
 && python -m geodata build-index \
 && python -m geodata ingest seeds --quiet \
 && chown -R placewire:placewire /data static/layers

# Declared after the index is in /data: a new named volume starts with it. A bind mount starts
# empty, and the index is then rebuilt on first use (under a minute).
VOLUME /data
USER placewire
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"

CMD ["streamlit", "run", "app.py"]
