#!/usr/bin/env bash
# Import benchmark: a PEOPLE-person CSV (default 100,000) from `trellis demo --export`,
# imported into a new SQLite database (and PostgreSQL when BENCH_POSTGRES_URL is set),
# then re-imported unchanged. Prints wall time and peak memory of each run.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-100000}
BIN=target/release/trellis
cargo build --release -q -p trellis
WORK=$(mktemp -d /tmp/trellis-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
$BIN demo --people "$PEOPLE" --seed 7 --export "$WORK/people.csv"
echo "file: $(du -h "$WORK/people.csv" | cut -f1), $PEOPLE people"

echo "SQLite, first import:"
python3 benches/measure.py $BIN import people "$WORK/people.csv" --database "sqlite://$WORK/bench.db"
echo "SQLite, re-import of the same file (nothing changes):"
python3 benches/measure.py $BIN import people "$WORK/people.csv" --database "sqlite://$WORK/bench.db"
echo "SQLite, re-import with every title changed (100 % updates, each kept in the org history):"
python3 - "$WORK/people.csv" "$WORK/retitled.csv" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as src, open(sys.argv[2], "w", newline="") as dst:
    rows = csv.reader(src)
    out = csv.writer(dst)
    header = next(rows)
    out.writerow(header)
    title = header.index("Title")
    for row in rows:
        row[title] = (row[title] + " II").strip()
        out.writerow(row)
PY
python3 benches/measure.py $BIN import people "$WORK/retitled.csv" --database "sqlite://$WORK/bench.db"
echo "SQLite, export:"
python3 benches/measure.py $BIN export people "$WORK/export.csv" --database "sqlite://$WORK/bench.db"

if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
  echo "PostgreSQL, first import:"
  python3 benches/measure.py $BIN import people "$WORK/people.csv" --database "$BENCH_POSTGRES_URL"
  echo "PostgreSQL, re-import:"
  python3 benches/measure.py $BIN import people "$WORK/people.csv" --database "$BENCH_POSTGRES_URL"
fi
