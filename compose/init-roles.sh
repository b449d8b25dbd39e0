#!/bin/sh
# Runs once when the PostgreSQL volume is created (for an existing volume, run the statements by hand as
# postgres). The schema owner `coffer` (used only by the migrate service), the runtime role `coffer_app`
# (owns nothing, so row-level security applies to it) and `coffer_platform`, which coffer_app may switch
# to for one cross-tenant transaction but does not inherit (NOINHERIT, set before the grant), so its own
# queries stay bound to their tenant. The owner inherits it (a migration may backfill across tenants).
# Each `coffer-<service> --migrate` creates its schema as the owner and grants coffer_app and
# coffer_platform what they need on it: nothing else is granted here.
# Passwords go in as psql variables (:'name'), so a quote in one cannot break the SQL.
set -e
psql -v ON_ERROR_STOP=1 --username postgres \
     -v owner_pw="$PG_OWNER_PASSWORD" -v app_pw="$PG_APP_PASSWORD" <<'SQL'
CREATE ROLE coffer LOGIN PASSWORD :'owner_pw';
CREATE ROLE coffer_app LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT PASSWORD :'app_pw';
CREATE ROLE coffer_platform NOLOGIN;
GRANT coffer_platform TO coffer_app;
GRANT coffer_platform TO coffer;
CREATE DATABASE coffer OWNER coffer;
-- Explicit rather than left to PUBLIC's default; the runtime role is given nothing else here.
GRANT CONNECT ON DATABASE coffer TO coffer_app;
SQL
