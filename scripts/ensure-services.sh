#!/usr/bin/env bash
# Make sure PostgreSQL answers on 127.0.0.1:5432 for the integration tests.
# On the project's machines it is installed and usually running; if it is stopped we start it,
# and if it is missing we install Debian's package (as root) and start it with trust auth on
# loopback, which is what the tests expect. Nothing here runs in production.
set -euo pipefail

host=${TEST_PG_HOST:-127.0.0.1}
port=${TEST_PG_PORT:-5432}

is_up() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }

if command -v pg_isready >/dev/null && is_up; then
  exit 0
fi

if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
  echo "PostgreSQL at $host:$port does not answer; start it or unset TEST_PG_HOST" >&2
  exit 1
fi

if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL is not installed; install it (apt-get install postgresql) or run as root" >&2
    exit 1
  fi
  echo "installing PostgreSQL from Debian's packages..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  version=$(ls /etc/postgresql | sort -n | tail -1)
  conf=/etc/postgresql/$version/main
  sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/" "$conf/postgresql.conf"
  sed -i "s/^#\?port = .*/port = $port/" "$conf/postgresql.conf"
  cat > "$conf/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 trust
host all all ::1/128 trust
HBA
fi

version=$(ls /etc/postgresql | sort -n | tail -1)
echo "starting PostgreSQL $version..." >&2
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do
  if is_up; then exit 0; fi
  sleep 1
done
echo "PostgreSQL did not come up on $host:$port" >&2
exit 1
