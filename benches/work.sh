#!/usr/bin/env bash
# Work benchmark on the PEOPLE-person demo (default 100,000 people, about 2,000,000
# commitments): the whole-organisation delivery and workload reports (wall time, peak
# memory), and the team job view of the manager whose tree is closest to 500 people under
# wrk: the page with one client and with 64 connections, and the API with 64.
# DATABASE may point at PostgreSQL (an empty database); SQLite in a temporary folder otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-100000}
DURATION=${DURATION:-15s}
BIN=target/release/trellis
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p trellis
WORK=$(mktemp -d /tmp/trellis-work.XXXXXX)
DATABASE=${DATABASE:-sqlite://$WORK/work.db}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "== demo: $PEOPLE people with their work"
python3 benches/measure.py $BIN demo --people "$PEOPLE" --seed 7 --database "$DATABASE" \
  --password load-test-password --no-serve > "$WORK/accounts.txt"
head -1 "$WORK/accounts.txt"
ADMIN=$(grep 'role=admin' "$WORK/accounts.txt" | sed 's/.*email=\([^ ]*\).*/\1/')
for kind in delivery workload; do
  echo "== trellis report $kind (whole organisation, 365-day window)"
  python3 benches/measure.py $BIN report "$kind" --database "$DATABASE" --window 365d --format csv > "$WORK/$kind.csv"
done
# The manager whose tree is closest to 500 people, from the exported reporting lines.
$BIN export people "$WORK/people.csv" --database "$DATABASE" 2>/dev/null
TARGET_EMAIL=$(python3 benches/manager_near.py "$WORK/people.csv" 500)
TOKEN=$($BIN token create --email "$ADMIN" --database "$DATABASE")
$BIN serve --database "$DATABASE" --listen "127.0.0.1:$PORT" >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
BASE="http://127.0.0.1:$PORT"
TARGET=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/people?q=$TARGET_EMAIL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
SIZE=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/people/$TARGET/team-work" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["members"]), "people,", len(d["priorities"]), "priorities listed")')
JAR="$WORK/cookies"
CSRF=$(curl -sf -c "$JAR" "$BASE/signin" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -sf -b "$JAR" -c "$JAR" -o /dev/null -d "email=$ADMIN&password=load-test-password&csrf=$CSRF&next=/" "$BASE/signin"
SESSION=$(grep trellis_session "$JAR" | awk '{print $7}')
echo "database: ${DATABASE%%://*}; team of person $TARGET: $SIZE"
echo "== team job view page /team-work/$TARGET, one client at a time"
wrk -t1 -c1 -d"$DURATION" --latency -H "Cookie: trellis_session=$SESSION" "$BASE/team-work/$TARGET" | grep -E "Requests/sec|Non-2xx|50%|90%|99%"
echo "== team job view page /team-work/$TARGET, 64 connections"
wrk -t2 -c64 -d"$DURATION" --latency -H "Cookie: trellis_session=$SESSION" "$BASE/team-work/$TARGET" | grep -E "Requests/sec|Non-2xx|50%|90%|99%"
echo "== team job view API /api/v1/people/$TARGET/team-work"
wrk -t2 -c64 -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/people/$TARGET/team-work" | grep -E "Requests/sec|Non-2xx|50%|90%|99%"
echo "== home page (next actions) of that manager, one client at a time"
$BIN user create --email "$TARGET_EMAIL" --password load-test-password --database "$DATABASE" >/dev/null 2>&1 || true
MJAR="$WORK/manager-cookies"
CSRF=$(curl -sf -c "$MJAR" "$BASE/signin" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -sf -b "$MJAR" -c "$MJAR" -o /dev/null -d "email=$TARGET_EMAIL&password=load-test-password&csrf=$CSRF&next=/" "$BASE/signin"
MSESSION=$(grep trellis_session "$MJAR" | awk '{print $7}')
curl -sf -H "Cookie: trellis_session=$MSESSION" "$BASE/" | grep -o 'What is waiting for you' | head -1
wrk -t1 -c1 -d"$DURATION" --latency -H "Cookie: trellis_session=$MSESSION" "$BASE/" | grep -E "Requests/sec|Non-2xx|50%|90%|99%"
