#!/usr/bin/env bash
# The pipeline's heavy reads on the PEOPLE-person demo (default 100,000 people, about
# 2,000,000 commitments): the whole-organisation delivery report, the organisation
# dashboard, the scorecard of the manager whose tree is closest to 500 people, the
# succession overview and the new managers' list — each fetched RUNS times (default 3)
# through the API by an admin, with the seconds of each.
# DATABASE may point at PostgreSQL (an empty database); SQLite in a temporary folder otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-100000}
RUNS=${RUNS:-3}
BIN=target/release/trellis
cargo build --release -q -p trellis
WORK=$(mktemp -d /tmp/trellis-pipeline.XXXXXX)
DATABASE=${DATABASE:-sqlite://$WORK/pipeline.db}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "== demo: $PEOPLE people with their work"
python3 benches/measure.py $BIN demo --people "$PEOPLE" --seed 7 --database "$DATABASE" \
  --password load-test-password --no-serve > "$WORK/accounts.txt"
ADMIN=$(grep 'role=admin' "$WORK/accounts.txt" | sed 's/.*email=\([^ ]*\).*/\1/')
echo "== trellis report delivery (whole organisation, 90-day window)"
python3 benches/measure.py $BIN report delivery --database "$DATABASE" --window 90d --format csv > "$WORK/delivery.csv"
$BIN export people "$WORK/people.csv" --database "$DATABASE" 2>/dev/null
TARGET_EMAIL=$(python3 benches/manager_near.py "$WORK/people.csv" 500)
TOKEN=$($BIN token create --email "$ADMIN" --database "$DATABASE")
# The worker's job results are logged at debug level: the reads are timed once its first
# housekeeping run (moving the trailing windows, recording the scorecard figures) is done.
TRELLIS_LOG="warn,trellis=info,trellis_mail=debug" $BIN serve --database "$DATABASE" \
  --listen "127.0.0.1:$PORT" > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
echo "== waiting for the worker's first housekeeping run"
for _ in $(seq 600); do grep -q 'job: reminders' "$WORK/server.log" && break; sleep 1; done
BASE="http://127.0.0.1:$PORT"
TARGET=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/people?q=$TARGET_EMAIL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
echo "database: ${DATABASE%%://*}; scorecard of person $TARGET ($TARGET_EMAIL)"
for path in /api/v1/dashboard "/api/v1/reports/work?window=90d" "/api/v1/reports/work?window=365d" "/api/v1/people/$TARGET/scorecard" /api/v1/succession /api/v1/transitions; do
  printf '== %s:' "$path"
  for _ in $(seq "$RUNS"); do
    curl -sf -o /dev/null -w ' %{time_total}s' -H "Authorization: Bearer $TOKEN" "$BASE$path"
  done
  echo
done
