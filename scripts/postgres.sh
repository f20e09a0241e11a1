#!/usr/bin/env bash
# Start the machine's PostgreSQL (stopped at boot) and create the test role and database. Idempotent.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi
V=$(ls /etc/postgresql | sort -V | tail -1)
pg_ctlcluster --skip-systemctl-redirect "$V" main start 2>/dev/null || pg_lsclusters -h | grep -qE "^$V +main .* online"
for i in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL'
SELECT 'CREATE ROLE linli LOGIN PASSWORD ''linli''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname='linli')\gexec
SELECT 'CREATE DATABASE linli_test OWNER linli' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname='linli_test')\gexec
SELECT 'CREATE ROLE linli_keys LOGIN PASSWORD ''linli_keys''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname='linli_keys')\gexec
GRANT CREATE ON DATABASE linli_test TO linli_keys;
SQL
pg_isready -h 127.0.0.1
