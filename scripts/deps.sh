#!/usr/bin/env bash
# Installs what Parley's run and tests need and the machine lacks:
# PostgreSQL server binaries (and Chromium for the browser tests with
# "deps.sh test"). Only Debian packages, only as root; elsewhere it says
# what to install.
set -euo pipefail

want=()
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || [ -n "${PG_BIN:-}" ]; }
# Tests use TEST_DATABASE_URL or a private cluster; the app DATABASE_URL or one.
if [ "${1:-}" = "test" ]; then db=${TEST_DATABASE_URL:-}; else db=${DATABASE_URL:-}; fi
if [ -z "$db" ] && ! have_pg; then
  want+=(postgresql)
fi
if [ "${1:-}" = "test" ] && [ -z "${CHROME_BIN:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  want+=(chromium)
fi
[ ${#want[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "deps: installing ${want[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${want[@]}" >&2
else
  echo "deps: missing ${want[*]}: install them with your package manager (Debian/Ubuntu: sudo apt-get install ${want[*]})" >&2
  exit 1
fi
