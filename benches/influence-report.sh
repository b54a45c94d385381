#!/usr/bin/env bash
# The influence capability end to end on a PEOPLE-person organisation (default 100,000,
# from `trellis demo --export`) with TIES interactions (default 1,000,000): seven in ten
# `advice`, the rest meetings and messages, dated over the last 80 days; each seeker turns
# mostly to people near them (their manager's other reports, their manager, their own
# reports) and a fifth of the time to anyone, and one person in a hundred is sought three
# times as often. Times, with peak memory:
#   - `trellis import interactions` of the file into SQLite (every row checked, one
#     transaction), and its re-import (nothing new);
#   - the whole-organisation `trellis report influence` (it prints how much of its time
#     brokerage took: betweenness from 256 pivots above 10,000 people).
# BENCH_POSTGRES_URL=postgres://… (an empty database) runs the same on PostgreSQL too.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-100000}
TIES=${TIES:-1000000}
BIN=target/release/trellis
cargo build --release -q -p trellis
WORK=${KEEP:-$(mktemp -d /tmp/trellis-influence-report.XXXXXX)}
mkdir -p "$WORK"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
$BIN demo --people "$PEOPLE" --seed 7 --export "$WORK/people.csv"
python3 - "$WORK/people.csv" "$WORK/ties.csv" "$TIES" <<'PY'
import csv, datetime, random, sys
random.seed(11)
# People who left are refused as interaction partners: only the active take part.
people = [p for p in csv.DictReader(open(sys.argv[1], newline=""))
          if p.get("Status", "active").strip().lower() != "left"]
emails = [p["Email"] for p in people]
index = {e: i for i, e in enumerate(emails)}
manager = [index.get(p["Manager Email"]) for p in people]
reports = [[] for _ in people]
for i, m in enumerate(manager):
    if m is not None:
        reports[m].append(i)
n, m = len(people), int(sys.argv[3])
leaders = random.sample(range(n), max(1, n // 100))
today = datetime.date.today()
days = [(today - datetime.timedelta(days=d)).isoformat() for d in range(80)]
with open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out)
    w.writerow(["From Email", "To Email", "Date", "Kind"])
    written = 0
    while written < m:
        a = random.randrange(n)
        r = random.random()
        if r < 0.03:
            b = random.choice(leaders)
        elif r < 0.2 or manager[a] is None:
            b = random.randrange(n)
        elif r < 0.7:
            b = random.choice(reports[manager[a]])
        elif r < 0.85:
            b = manager[a]
        else:
            b = random.choice(reports[a]) if reports[a] else random.randrange(n)
        if a == b:
            continue
        k = random.random()
        kind = "advice" if k < 0.7 else ("meeting" if k < 0.85 else "message")
        w.writerow([emails[a], emails[b], random.choice(days), kind])
        written += 1
PY
echo "people: $PEOPLE; interactions file: $(du -h "$WORK/ties.csv" | cut -f1), $TIES rows"

run() {
  local db=$1
  python3 benches/measure.py $BIN import people "$WORK/people.csv" --database "$db" > /dev/null 2>&1
  echo "import interactions:"
  python3 benches/measure.py $BIN import interactions "$WORK/ties.csv" --database "$db" | tail -3
  echo "re-import (nothing new):"
  python3 benches/measure.py $BIN import interactions "$WORK/ties.csv" --database "$db"
  echo "report influence, the whole organisation:"
  python3 benches/measure.py $BIN report influence --format csv --database "$db" > "$WORK/report.csv"
  echo "  $(($(wc -l < "$WORK/report.csv") - 1)) rows"
}

echo "SQLite:"
run "sqlite://$WORK/bench.db"
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
  echo "PostgreSQL:"
  run "$BENCH_POSTGRES_URL"
fi
