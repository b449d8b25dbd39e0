#!/bin/sh
# Runs once when the PostgreSQL volume is created: the schema owner and the runtime role (which owns
# nothing, so row-level security applies to it).
set -e
psql -v ON_ERROR_STOP=1 --username postgres <<SQL
CREATE ROLE coffer LOGIN PASSWORD '${PG_OWNER_PASSWORD}';
CREATE ROLE coffer_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '${PG_APP_PASSWORD}';
CREATE DATABASE coffer OWNER coffer;
SQL
