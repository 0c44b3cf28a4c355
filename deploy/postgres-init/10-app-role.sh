#!/bin/sh
# Runs once, when the db container initialises an empty data volume: creates the
# role the application runs as. Its privileges are granted by app-role-grants.sql,
# which the migrate service runs after every migration.
set -eu
psql -v ON_ERROR_STOP=1 -v app_password="$APP_DB_PASSWORD" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE resursrad_app LOGIN PASSWORD :'app_password';
SQL
