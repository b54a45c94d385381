#!/usr/bin/env bash
# Influence metrics, Trellis against igraph, on the same generated organisation (default
# 100,000 people, about 1,000,000 advice ties; PEOPLE=N, TIES=M, SEED=S change it):
# a reporting tree with spans of 3 to 10, each person seeking advice mostly near them in
# the tree (same manager, the manager's manager's tree) and a fifth of the time anywhere,
# with one person in a hundred an informal leader sought three times as often.
# Both time the computation alone, from a graph already in memory: PageRank of the advice
# graph, betweenness of the undirected graph from 256 pivots, and exact betweenness of a
# 10,000-person graph. Prints both times, the ratios, and the comparisons: equal advice
# counts, PageRank within 1e-10 per person, betweenness within 1e-9 relative.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-100000}
TIES=${TIES:-1000000}
SEED=${SEED:-1}
WORK=$(mktemp -d /tmp/trellis-influence.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cargo build --release -q -p trellis-insight --bin graph-bench
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q numpy igraph
"$WORK/venv/bin/python" - "$WORK" "$PEOPLE" "$TIES" "$SEED" <<'PY' > "$WORK/igraph.txt"
import sys, time
import numpy as np
import igraph as ig
work, n, m, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(seed)

def organisation(n):
    """Managers: a breadth-first tree with spans of 3 to 10."""
    managers = np.full(n, -1, dtype=np.int64)
    nxt, boss = 1, 0
    while nxt < n:
        span = int(rng.integers(3, 11))
        end = min(n, nxt + span)
        managers[nxt:end] = boss
        nxt, boss = end, boss + 1
    return managers

def ties(managers, m):
    n = len(managers)
    seeker = rng.integers(0, n, m)
    leaders = rng.choice(n, max(1, n // 100), replace=False)
    near = managers[seeker].copy()
    top = near < 0
    near[top] = 0
    # Near: someone else with the same manager, or under the manager's manager.
    grand = managers[near].copy()
    grand[grand < 0] = 0
    children_of = {}
    order = np.argsort(managers, kind="stable")
    sorted_m = managers[order]
    starts = np.searchsorted(sorted_m, np.arange(n))
    ends = np.searchsorted(sorted_m, np.arange(n), side="right")
    base = np.where(rng.random(m) < 0.5, near, grand)
    count = ends[base] - starts[base]
    pick = starts[base] + (rng.random(m) * np.maximum(count, 1)).astype(np.int64)
    pick = np.minimum(pick, n - 1)
    adviser = np.where(count > 0, order[pick], rng.integers(0, n, m))
    far = rng.random(m) < 0.2
    adviser[far] = rng.integers(0, n, int(far.sum()))
    lead = rng.random(m) < 0.03
    adviser[lead] = rng.choice(leaders, int(lead.sum()))
    return np.stack([seeker, adviser], axis=1).astype("<u4")

managers = organisation(n)
advice = ties(managers, m)
managers.astype("<i4").tofile(f"{work}/managers.i32")
advice.tofile(f"{work}/advice.u32")
pivots = rng.choice(n, min(256, n), replace=False).astype("<u4")
pivots.tofile(f"{work}/pivots.u32")
small_n = min(10000, n)
small_managers = organisation(small_n)
small = ties(small_managers, small_n * 10)
small.tofile(f"{work}/small.u32")

# igraph: the same graphs, self-ties dropped and repeated ties one edge.
g = ig.Graph(n=n, edges=advice.tolist(), directed=True)
g.simplify(multiple=True, loops=True)
start = time.perf_counter()
rank = np.array(g.pagerank(damping=0.85))
print(f"pagerank {time.perf_counter() - start:.4f}")
u = g.as_undirected(mode="collapse")
start = time.perf_counter()
partial = np.array(u.betweenness(directed=False, sources=pivots.tolist()))
print(f"sampled_betweenness {time.perf_counter() - start:.4f}")
s = ig.Graph(n=small_n, edges=small.tolist(), directed=False)
s.simplify(multiple=True, loops=True)
start = time.perf_counter()
exact = np.array(s.betweenness(directed=False))
print(f"exact_betweenness {time.perf_counter() - start:.4f}")
np.array(g.indegree(), dtype="<u4").tofile(f"{work}/ig_indegree.u32")
rank.astype("<f8").tofile(f"{work}/ig_pagerank.f64")
partial.astype("<f8").tofile(f"{work}/ig_partial.f64")
exact.astype("<f8").tofile(f"{work}/ig_exact.f64")
PY
target/release/graph-bench "$WORK" > "$WORK/trellis.txt"
"$WORK/venv/bin/python" - "$WORK" <<'PY'
import sys
import numpy as np
work = sys.argv[1]
def times(path):
    return {l.split()[0]: float(l.split()[1]) for l in open(path)}
t, i = times(f"{work}/trellis.txt"), times(f"{work}/igraph.txt")
print(open(f"{work}/trellis.txt").read().strip())
for name in ["pagerank", "sampled_betweenness", "exact_betweenness"]:
    print(f"{name}: trellis {t[name]:.3f} s, igraph {i[name]:.3f} s, ratio {t[name] / i[name]:.2f}")
counts = np.fromfile(f"{work}/counts.u32", dtype="<u4").reshape(-1, 2)
print("advice counts equal:", bool((counts[:, 0] == np.fromfile(f"{work}/ig_indegree.u32", dtype="<u4")).all()))
pr = np.fromfile(f"{work}/pagerank.f64"); ipr = np.fromfile(f"{work}/ig_pagerank.f64")
print(f"pagerank max difference: {np.abs(pr - ipr).max():.2e}")
def rel(a, b):
    return float((np.abs(a - b) / np.maximum(np.abs(b), 1.0)).max())
print(f"sampled betweenness max relative difference: {rel(np.fromfile(f'{work}/partial.f64'), np.fromfile(f'{work}/ig_partial.f64')):.2e}")
print(f"exact betweenness max relative difference: {rel(np.fromfile(f'{work}/exact.f64'), np.fromfile(f'{work}/ig_exact.f64')):.2e}")
PY
