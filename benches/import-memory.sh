#!/usr/bin/env bash
# Import memory benchmark: peak and after-import resident memory of the CLI and of the
# server for three files of about 50 MB checked against a 100,000-person organisation:
# junk (random bytes in CSV cells), a wide HRIS export of the same 100,000 people (their 14
# columns and 8 that Trellis ignores), a dense file of 240,000 people (14 columns; it names
# people the organisation already has under other ids, so it is refused with 11,000
# errors) and a mixed file that can be applied: the 100,000 with a new title each (updates
# with history) and 140,000 new people (creates).
set -euo pipefail
# A key for this run's private notes, so `serve` writes no trellis.toml here.
export TRELLIS_SECRET_KEY=${TRELLIS_SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}
cd "$(dirname "$0")/.."
BIN=target/release/trellis
cargo build --release -q -p trellis
WORK=$(mktemp -d /tmp/trellis-memory.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
DATABASE="sqlite://$WORK/org.db"

$BIN demo --people 100000 --seed 7 --export "$WORK/people.csv" >/dev/null
$BIN demo --people 240000 --seed 7 --export "$WORK/dense.csv" >/dev/null
python3 - "$WORK" <<'PY'
import csv, os, random, sys
work = sys.argv[1]
random.seed(1)
with open(f"{work}/people.csv", newline="") as src, open(f"{work}/wide.csv", "w", newline="") as dst:
    rows, out = csv.reader(src), csv.writer(dst)
    out.writerow(next(rows) + ["Cost Center", "Legal Entity", "Job Family", "Job Profile",
                               "Work Address", "Home Address", "Emergency Contact", "Notes"])
    for row in rows:
        out.writerow(row + [f"CC-{random.randint(0, 99999):05d}", "Example Holdings GmbH",
                            "Engineering & Product", "Software Engineering Professional",
                            f"{random.randint(1, 999)} Market Street, Suite {random.randint(1, 99)}, San Francisco CA",
                            f"{random.randint(1, 999)} Elm Road, Springfield",
                            f"Jane Doe +1 555 {random.randint(0, 9999999):07d}",
                            "x" * random.randint(40, 80)])
with open(f"{work}/people.csv", newline="") as org, open(f"{work}/dense.csv", newline="") as dense, \
        open(f"{work}/mixed.csv", "w", newline="") as dst:
    out = csv.writer(dst)
    rows = csv.reader(org)
    header = next(rows)
    out.writerow(header)
    title, email, eid, manager = (header.index(c) for c in ("Title", "Email", "Employee Id", "Manager Email"))
    first = None
    for row in rows:
        first = first or row[email]
        row[title] = (row[title] + " II").strip()
        out.writerow(row)
    new = list(csv.reader(dense))[1 + 100000:]
    new_emails = {row[email] for row in new}
    for row in new:
        row[email], row[eid] = "n." + row[email], "N" + row[eid]
        row[manager] = "n." + row[manager] if row[manager] in new_emails else first
        out.writerow(row)
with open(f"{work}/junk.csv", "w") as dst:
    dst.write("Email,Name\n")
    line = 0
    while dst.tell() < 50 * 1024 * 1024:
        line += 1
        dst.write(f"{os.urandom(24).hex()},{os.urandom(12).hex()}\n")
PY
for f in junk wide dense mixed; do echo "$f.csv: $(du -m "$WORK/$f.csv" | cut -f1) MB, $(($(wc -l <"$WORK/$f.csv") - 1)) rows"; done

$BIN import people "$WORK/people.csv" --database "$DATABASE" >/dev/null
cp "$WORK/org.db" "$WORK/pages.db"
echo "== CLI, checked against the 100,000-person organisation (--dry-run)"
for f in junk wide dense mixed; do
  echo "$f.csv:"
  python3 benches/measure.py $BIN import people "$WORK/$f.csv" --dry-run --database "$DATABASE" >/dev/null 2>"$WORK/err" || true
  tail -1 "$WORK/err"
done
echo "== CLI, dense.csv imported into an empty database (240,000 created)"
python3 benches/measure.py $BIN import people "$WORK/dense.csv" --database "sqlite://$WORK/empty.db" 2>&1 >/dev/null | tail -1
echo "== CLI, mixed.csv applied to a copy of the organisation (100,000 updated, 140,000 created)"
cp "$WORK/org.db" "$WORK/copy.db"
python3 benches/measure.py $BIN import people "$WORK/mixed.csv" --database "sqlite://$WORK/copy.db" 2>&1 >/dev/null | tail -1
rm -f "$WORK"/copy.db*

ADMIN=$(sed -n 2p "$WORK/people.csv" | cut -d, -f2)
$BIN user create --email "$ADMIN" --admin --password "memory-test-password" --database "$DATABASE" >/dev/null
TOKEN=$($BIN token create --email "$ADMIN" --database "$DATABASE")
$BIN serve --database "$DATABASE" --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
rss() { awk -v k="$1" '$1 == k":" {printf "%.0f", $2/1024}' /proc/$SERVER/status; }
echo "== server, POST /api/v1/imports/people?dry_run=true (resident memory, MiB)"
echo "idle: $(rss VmRSS)"
for f in junk wide dense mixed; do
  echo 5 >/proc/$SERVER/clear_refs # resets the peak
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: text/csv' --data-binary "@$WORK/$f.csv" \
    "http://127.0.0.1:$PORT/api/v1/imports/people?dry_run=true")
  sleep 1
  echo "$f.csv: HTTP $code, peak $(rss VmHWM), after $(rss VmRSS)"
done
echo "== server, mixed.csv applied: POST /api/v1/imports/people (100,000 updated, 140,000 created)"
echo 5 >/proc/$SERVER/clear_refs
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: text/csv' --data-binary "@$WORK/mixed.csv" \
  "http://127.0.0.1:$PORT/api/v1/imports/people")
sleep 1
echo "mixed.csv: HTTP $code, peak $(rss VmHWM), after $(rss VmRSS)"

echo "== server, the upload page (Admin → Import people): mixed.csv previewed, then applied"
kill $SERVER; wait $SERVER 2>/dev/null || true
$BIN user create --email "$ADMIN" --admin --password "memory-test-password" --database "sqlite://$WORK/pages.db" >/dev/null
$BIN serve --database "sqlite://$WORK/pages.db" --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
SERVER=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
JAR="$WORK/cookies"
csrf() { curl -s -c "$JAR" -b "$JAR" "$URL$1" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4; }
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "email=$ADMIN" \
  --data-urlencode "password=memory-test-password" --data-urlencode "csrf=$(csrf /signin)" "$URL/signin"
CSRF=$(csrf /admin/import)
echo "idle: $(rss VmRSS)"
echo 5 >/proc/$SERVER/clear_refs
code=$(curl -s -c "$JAR" -b "$JAR" -o "$WORK/preview.html" -w '%{http_code}' -F "csrf=$CSRF" \
  -F "file=@$WORK/mixed.csv;type=text/csv" "$URL/admin/import")
sleep 1
echo "preview: HTTP $code, peak $(rss VmHWM), after $(rss VmRSS)"
UPLOAD=$(grep -o 'name="upload" value="[^"]*"' "$WORK/preview.html" | cut -d'"' -f4)
echo 5 >/proc/$SERVER/clear_refs
code=$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$CSRF" \
  --data-urlencode "upload=$UPLOAD" "$URL/admin/import/commit")
sleep 1
echo "apply: HTTP $code, peak $(rss VmHWM), after $(rss VmRSS)"
