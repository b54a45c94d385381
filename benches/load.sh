#!/usr/bin/env bash
# Load benchmark: the person page and the org-subtree API on a PEOPLE-person organisation
# (default 100,000), served by the release build, with wrk (64 connections, 2 threads);
# then the person page of a different, random person each request, and a random person's
# update through the API.
# DATABASE may point at PostgreSQL (an empty database); SQLite in a temporary folder otherwise.
set -euo pipefail
# A key for this run's private notes, so `serve` writes no trellis.toml here.
export TRELLIS_SECRET_KEY=${TRELLIS_SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-100000}
DURATION=${DURATION:-15s}
BIN=target/release/trellis
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p trellis
WORK=$(mktemp -d /tmp/trellis-load.XXXXXX)
DATABASE=${DATABASE:-sqlite://$WORK/load.db}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$BIN demo --people "$PEOPLE" --seed 7 --export "$WORK/people.csv"
$BIN import people "$WORK/people.csv" --database "$DATABASE" >/dev/null
ADMIN=$(sed -n 2p "$WORK/people.csv" | cut -d, -f2)
$BIN user create --email "$ADMIN" --admin --password "load-test-password" --database "$DATABASE" >/dev/null
TOKEN=$($BIN token create --email "$ADMIN" --database "$DATABASE")
$BIN serve --database "$DATABASE" --listen "127.0.0.1:$PORT" >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
BASE="http://127.0.0.1:$PORT"
# A manager in the middle of the tree: row 5,000 of the file.
TARGET_EMAIL=$(sed -n 5001p "$WORK/people.csv" | cut -d, -f2)
TARGET=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/people?q=$TARGET_EMAIL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
# A browser session for the page.
JAR="$WORK/cookies"
CSRF=$(curl -sf -c "$JAR" "$BASE/signin" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -sf -b "$JAR" -c "$JAR" -o /dev/null -d "email=$ADMIN&password=load-test-password&csrf=$CSRF&next=/" "$BASE/signin"
SESSION=$(grep trellis_session "$JAR" | awk '{print $7}')
echo "database: ${DATABASE%%://*}, $PEOPLE people, target person $TARGET"
echo "== person page /people/$TARGET"
wrk -t2 -c64 -d"$DURATION" --latency -H "Cookie: trellis_session=$SESSION" "$BASE/people/$TARGET" | grep -E "Requests/sec|Non-2xx|50%|90%|99%"
echo "== org subtree API /api/v1/org/$TARGET?depth=1"
wrk -t2 -c64 -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/org/$TARGET?depth=1" | grep -E "Requests/sec|Non-2xx|50%|90%|99%"
# The same page for a random person each time: mostly first reads, which no cache answers.
cat > "$WORK/random.lua" <<LUA
math.randomseed(7)
request = function() return wrk.format("GET", "/people/" .. math.random(1, $PEOPLE)) end
LUA
echo "== person page, a random person of $PEOPLE each request"
wrk -t2 -c64 -d"$DURATION" --latency -s "$WORK/random.lua" -H "Cookie: trellis_session=$SESSION" "$BASE" | grep -E "Requests/sec|Non-2xx|50%|90%|99%"
echo "server peak memory: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$SERVER/status)"
# Writes last (they change the data): a random person's title through the API. Every write
# empties the person-page caches (org area) on every instance.
cat > "$WORK/update.lua" <<LUA
math.randomseed(11)
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
request = function()
  return wrk.format(nil, "/api/v1/people/" .. math.random(2, $PEOPLE), nil,
    '{"title":"Title ' .. math.random(1, 1000000) .. '"}')
end
LUA
echo "== person update through the API, a random person of $PEOPLE each request"
wrk -t2 -c64 -d"$DURATION" --latency -s "$WORK/update.lua" "$BASE" | grep -E "Requests/sec|Non-2xx|50%|90%|99%"

