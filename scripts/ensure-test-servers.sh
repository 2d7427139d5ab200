#!/usr/bin/env bash
# Makes sure the servers the test suite talks to answer on localhost: PostgreSQL 5432 (trust
# auth, database `test`), that redis-server is installed (the tests start their own, on free
# ports: they never write to a Redis they did not start), that the tests' Kafka broker is there
# (Java 17 and Maven from Debian's packages, then scripts/kafka/ensure-kafka.sh: Apache Kafka's
# jars from Maven Central, checked against scripts/kafka/jars.sha256 and cached in
# ~/.cache/mastery-engine; the tests start their own brokers on free ports), that Chromium is there for
# the dashboard's browser test, and that the Dapr sidecar the Dapr specs run is built
# (scripts/ensure-daprd.sh: from Dapr's Go module, once per machine, into ~/.cache/mastery-engine).
# A no-op when all is there (the
# machines of this project start the servers); otherwise installs from Debian's packages (as
# root) and starts them.
# Tests pointed elsewhere (MASTERY_TEST_DATABASE_URL, MASTERY_TEST_REDIS_URL) skip this.
set -euo pipefail

log() { printf 'ensure-test-servers: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "cannot run '$*' without root; start PostgreSQL and Redis yourself"; exit 1
  fi
}

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

ensure_postgres() {
  if [ -n "${MASTERY_TEST_DATABASE_URL:-}" ]; then return; fi
  if ! postgres_up; then
    command -v pg_ctlcluster >/dev/null || { log 'installing PostgreSQL'; apt_install postgresql; }
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    local hba="/etc/postgresql/$version/main/pg_hba.conf"
    # The tests connect as postgres without a password, as on this project's machines.
    if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
      as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
    log "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster "$version" main reload
    for _ in $(seq 1 30); do postgres_up && break; sleep 1; done
    postgres_up || { log 'PostgreSQL did not start'; exit 1; }
  fi
  if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test'
  fi
}

ensure_redis() {
  if [ -n "${MASTERY_TEST_REDIS_URL:-}" ]; then return; fi
  command -v redis-server >/dev/null || { log 'installing Redis (the tests start their own redis-servers)'; apt_install redis-server; }
}

command -v psql >/dev/null || [ -n "${MASTERY_TEST_DATABASE_URL:-}" ] || apt_install postgresql-client
ensure_kafka() {
  if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
    log 'installing Java 17 and Maven for the Kafka test broker'
    apt_install openjdk-17-jre-headless maven
  fi
  # A no-op once the cache holds the checked jars; the first time it fetches them (about 45 MB).
  bash "$(dirname "$0")/kafka/ensure-kafka.sh" >/dev/null
}

ensure_chromium() {
  # The dashboard's browser test drives Debian's Chromium (Playwright cannot download its own here).
  command -v chromium >/dev/null && return
  log 'installing Chromium for the browser test'
  apt_install chromium
}

ensure_daprd() {
  # Builds daprd from Dapr's Go module on first use (some minutes); then only finds it.
  bash "$(dirname "$0")/ensure-daprd.sh" >/dev/null
}

ensure_postgres
ensure_redis
ensure_kafka
ensure_chromium
ensure_daprd
