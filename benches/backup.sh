#!/usr/bin/env bash
# Backup and restore of the PEOPLE-person demo (default 100,000 people, about 2,000,000
# commitments): `trellis backup` from SQLite (plain and --encrypt), `trellis restore` of it
# into a new SQLite file; with BENCH_POSTGRES_URL=postgres://…/DB (a database the user may
# drop and create databases beside) also the restore into PostgreSQL (COPY) and the backup
# from PostgreSQL. Wall time and peak memory of each command.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-100000}
BIN=target/release/trellis
cargo build --release -q -p trellis
WORK=$(mktemp -d /tmp/trellis-backup-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export TRELLIS_SECRET_KEY=${TRELLIS_SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}
export TRELLIS_LOG=error
export TRELLIS_BACKUP_PASSPHRASE="benchmark passphrase, long enough"
SOURCE="sqlite://$WORK/source.db"
echo "== demo: $PEOPLE people with their work"
$BIN demo --people "$PEOPLE" --seed 7 --database "$SOURCE" --no-serve > /dev/null
echo "== backup from SQLite"
python3 benches/measure.py $BIN backup "$WORK/sqlite.backup" --database "$SOURCE"
echo "== backup from SQLite, encrypted"
python3 benches/measure.py $BIN backup "$WORK/sealed.backup" --encrypt --database "$SOURCE"
echo "== restore into a new SQLite file"
python3 benches/measure.py $BIN restore "$WORK/sqlite.backup" --to "sqlite://$WORK/restored.db"
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
  ADMIN_URL=${BENCH_POSTGRES_URL%/*}
  TARGET="$ADMIN_URL/trellis_backup_bench"
  psql "$BENCH_POSTGRES_URL" -q -c "DROP DATABASE IF EXISTS trellis_backup_bench" -c "CREATE DATABASE trellis_backup_bench"
  echo "== restore into PostgreSQL"
  python3 benches/measure.py $BIN restore "$WORK/sqlite.backup" --to "$TARGET"
  echo "== backup from PostgreSQL"
  python3 benches/measure.py $BIN backup "$WORK/postgres.backup" --database "$TARGET"
  psql "$BENCH_POSTGRES_URL" -q -c "DROP DATABASE trellis_backup_bench"
fi
