#!/usr/bin/env bash
# SCIM sync benchmark: an identity provider provisions USERS people (default 10,000) into an
# empty Trellis over /scim/v2 as Okta does — a lookup by userName, then a POST with the
# manager (a tree eight wide) and the department — over one keep-alive connection, then
# re-lists everyone in pages of 100. Prints the seconds of each phase and of the whole sync.
# DATABASE=postgres://… (an empty database) runs it on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-10000}
BIN=target/release/trellis
cargo build --release -q -p trellis
WORK=$(mktemp -d /tmp/trellis-bench.XXXXXX)
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export TRELLIS_SECRET_KEY=${TRELLIS_SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}
export TRELLIS_LOG=error
DB=${DATABASE:-sqlite://$WORK/scim.db}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=$($BIN token create --scim --name bench --database "$DB" 2>/dev/null)
$BIN serve --database "$DB" --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
python3 - "$PORT" "$TOKEN" "$USERS" <<'PY'
import http.client, json, sys, time, urllib.parse
port, token, users = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for _ in range(200):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5); c.request("GET", "/healthz"); c.getresponse().read(); break
    except Exception:
        time.sleep(0.1)
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
def call(method, path, body=None, expect=200):
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    r = conn.getresponse(); data = r.read()
    if r.status != expect:
        sys.exit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data) if data else None
ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ids = []
start = time.time()
for i in range(users):
    name = f"person{i}@bench.test"
    found = call("GET", "/scim/v2/Users?" + urllib.parse.urlencode({"filter": f'userName eq "{name}"', "startIndex": 1, "count": 100}))
    assert found["totalResults"] == 0
    user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT], "userName": name,
            "name": {"givenName": f"Given{i}", "familyName": f"Family{i}"},
            "emails": [{"primary": True, "type": "work", "value": name}], "active": True,
            ENT: {"department": f"Department {i % 20}", "employeeNumber": f"B{i}"}}
    if i > 0:
        user[ENT]["manager"] = {"value": ids[(i - 1) // 8]}
    ids.append(call("POST", "/scim/v2/Users", user, expect=201)["id"])
    if (i + 1) % 2000 == 0:
        print(f"  {i + 1} created, {time.time() - start:.1f} s", flush=True)
created = time.time() - start
listed_at = time.time()
seen, index = 0, 1
while True:
    page = call("GET", f"/scim/v2/Users?startIndex={index}&count=100")
    seen += len(page["Resources"])
    if not page["Resources"] or seen >= page["totalResults"]:
        break
    index += 100
listed = time.time() - listed_at
assert seen == users, (seen, users)
print(f"create {users} users (lookup + POST each): {created:.1f} s ({users / created:.0f} a second)")
print(f"re-list in pages of 100: {listed:.1f} s")
print(f"whole sync: {created + listed:.1f} s")
PY
