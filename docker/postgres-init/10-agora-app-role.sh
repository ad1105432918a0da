#!/bin/sh
# The application's role (docs/security.md, "Database roles"): a login that is not superuser and
# owns nothing. The image's POSTGRES_USER (agora_owner) owns the database and every table and is
# the only one that migrates; `agora migrate` grants agora_app what it needs (agora.dbroles).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="$AGORA_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE agora_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'app_password';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
