# The web process of Agora: daphne serving HTTP and WebSockets (`agora serve`).
# Configuration comes from the environment only (see README.md); migrations run once per
# deploy with `agora migrate`, never on start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AGORA_DATA_DIR=/var/lib/agora

# pg_dump/pg_restore for backup_municipality and restore_municipality (docs/adr/0020), of the
# server's major version (docker-compose: postgres:16; Debian bookworm ships 15): from PGDG.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build
COPY pyproject.toml README.md ./
COPY platform ./platform
COPY tenants ./tenants
COPY realtime ./realtime
COPY api ./api
COPY frontend ./frontend
# A plain (non-editable) install: templates, static files and migrations are package data.
RUN pip install . \
    && rm -rf /build \
    && useradd --system --uid 10001 --create-home --home-dir /home/agora agora \
    && mkdir -p /var/lib/agora \
    && chown agora:agora /var/lib/agora

USER agora
WORKDIR /home/agora
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["agora", "serve", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
