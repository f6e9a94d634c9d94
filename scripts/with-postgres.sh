#!/usr/bin/env bash
# Runs a command against a private, throw-away PostgreSQL cluster.
#
#   scripts/with-postgres.sh cargo test -p visit-central --test api
#
# initdb + pg_ctl as the postgres user, in a temporary directory, on a spare loopback port;
# exports DATABASE_URL and CENTRAL_TEST_DATABASE_URL (a superuser URL: tests create one
# database each), runs the command, then stops the cluster and deletes it whatever happened.
# Needs the PostgreSQL server binaries: `apt-get install -y postgresql` (PostgreSQL 15 on
# Debian 12, under /usr/lib/postgresql/15/bin). Extra server options can be passed in
# PG_EXTRA_OPTIONS, e.g. PG_EXTRA_OPTIONS="-c fsync=off" for faster, non-durable test runs.
# PG_SSL=1 serves TLS too (ssl=on), with a throw-away CA and a certificate it signs for 127.0.0.1
# and localhost, made here with openssl, and exports CENTRAL_TEST_PG_SSL_ROOT (the CA: the root
# for sslmode=verify-full). sslmode=disable still connects in clear; sqlx's default, prefer,
# takes TLS when offered.
set -euo pipefail

pg_bin="${PG_BIN:-}"
if [ -z "$pg_bin" ]; then
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_ctl" ]; then
    echo "with-postgres: PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2
    exit 2
fi

# As root, run the server as the postgres user (it refuses to run as root).
as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

dir="$(mktemp -d /tmp/visit-pg.XXXXXX)"
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
fi

cleanup() {
    as_postgres "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

as_postgres "$pg_bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 2
}
ssl_options=""
if [ "${PG_SSL:-0}" = 1 ]; then
    # A throw-away CA and a server certificate it signs: rustls (webpki) refuses a CA
    # certificate presented as the server's own, so the root and the server's differ.
    {
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -subj "/CN=visit-pg-test-ca" -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" \
            -keyout "$dir/ca.key" -out "$dir/ca.crt" &&
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -subj "/CN=visit-pg-test" -keyout "$dir/server.key" -out "$dir/server.csr" &&
        printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/server.ext" &&
        openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
            -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt"
    } >"$dir/openssl.log" 2>&1 || {
        cat "$dir/openssl.log" >&2
        exit 2
    }
    chmod 0600 "$dir/server.key"
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$dir/server.key" "$dir/server.crt"
    fi
    ssl_options="-c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
    export CENTRAL_TEST_PG_SSL_ROOT="$dir/ca.crt"
fi

# A port that looks free can still be taken by the time the server binds it (another run
# starting at the same moment, a socket lingering in TIME-WAIT), so try a few.
port=""
first=$((55432 + $$ % 200))
for candidate in $(seq "$first" "$((first + 30))"); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        continue
    fi
    if as_postgres "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-p $candidate -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 $ssl_options ${PG_EXTRA_OPTIONS:-}" >/dev/null; then
        port="$candidate"
        break
    fi
done
if [ -z "$port" ]; then
    echo "with-postgres: the server did not start on any port tried" >&2
    cat "$dir/server.log" >&2
    exit 2
fi

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
export CENTRAL_TEST_DATABASE_URL="$DATABASE_URL"
echo "with-postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $port" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
