#!/bin/sh
# attest-verify JdbcDeviceStateStoreIT and VerifierConcurrencyIT run against a real PostgreSQL.
# Installs Debian's postgresql if missing, makes sure a cluster exists and runs on 127.0.0.1,
# creates the login role and database "attest" (owned by it), and writes
#   ATTEST_TEST_JDBC_URL=jdbc:postgresql://127.0.0.1:<port>/attest?user=attest&password=<random>
# into target/test-services, which the tests read. Runs as root; idempotent: a second
# run finds everything in place, keeps the password already written, and starts nothing twice.
set -eu
cd "$(dirname "$0")/../.."

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi

# The newest installed server version; its cluster "main" (created by the package, or here).
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
    pg_createcluster "$version" main
fi
# Loopback only: the cluster serves the tests, nobody else. A drop-in in conf.d (included by
# Debian's postgresql.conf) leaves the packaged file untouched.
conf=/etc/postgresql/$version/main/conf.d/50-attest-ci.conf
want="listen_addresses = '127.0.0.1'"
changed=no
if [ "$(cat "$conf" 2>/dev/null || true)" != "$want" ]; then
    echo "$want" > "$conf"
    changed=yes
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')
status=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $4 }')
if [ "$status" != "online" ]; then
    pg_ctlcluster "$version" main start
elif [ "$changed" = yes ]; then
    pg_ctlcluster "$version" main restart
fi
tries=0
until pg_isready -q -h 127.0.0.1 -p "$port"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 60 ]; then
        echo "PostgreSQL $version/main did not accept connections on 127.0.0.1:$port" >&2
        exit 1
    fi
    sleep 0.5
done

mkdir -p target
password=""
if [ -f target/test-services ]; then
    password=$(sed -n 's/^ATTEST_TEST_JDBC_URL=.*[?&]password=\([0-9a-f]*\).*$/\1/p' target/test-services)
fi
if [ -z "$password" ]; then
    password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
fi

runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -p "$port" -d postgres -v pw="$password" <<'SQL'
SELECT 'CREATE ROLE attest LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'attest')\gexec
ALTER ROLE attest WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw';
SELECT 'CREATE DATABASE attest OWNER attest' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'attest')\gexec
SQL

url="jdbc:postgresql://127.0.0.1:$port/attest?user=attest&password=$password"
# Replace only our line: other setup scripts write their own variables to the same file.
touch target/test-services
grep -v '^ATTEST_TEST_JDBC_URL=' target/test-services > target/test-services.tmp || true
# KEY=VALUE, read by the tests (TestServices), never sourced by a shell.
echo "ATTEST_TEST_JDBC_URL=$url" >> target/test-services.tmp
mv target/test-services.tmp target/test-services
# A password check over TCP, as the tests will connect.
PGPASSWORD="$password" psql -q -h 127.0.0.1 -p "$port" -U attest -d attest -c 'SELECT 1' >/dev/null
echo "PostgreSQL $version/main on 127.0.0.1:$port, database attest; ATTEST_TEST_JDBC_URL in target/test-services"
