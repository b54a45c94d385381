#!/usr/bin/env bash
# Optimal assignment, Trellis against scipy.optimize.linear_sum_assignment, on the same
# generated SIZE × SIZE score matrix (default 2,000 opportunities × 2,000 people, uniform
# scores with a seed). Both solve with maximise; each times its solve only (not loading).
# Prints both totals (they must be equal), both times and the ratio Trellis ÷ scipy.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-2000}
SEED=${SEED:-1}
WORK=$(mktemp -d /tmp/trellis-assignment.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cargo build --release -q -p trellis-insight --bin assignment-bench
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q numpy scipy
"$WORK/venv/bin/python" - "$WORK/scores.f64" "$SIZE" "$SEED" <<'PY' > "$WORK/scipy.txt"
import sys, time
import numpy as np
from scipy.optimize import linear_sum_assignment
path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
scores = np.random.default_rng(seed).random((n, n)) * 100.0
scores.astype("<f8").tofile(path)
start = time.perf_counter()
rows, cols = linear_sum_assignment(scores, maximize=True)
seconds = time.perf_counter() - start
print(f"total {scores[rows, cols].sum():.6f} seconds {seconds:.4f}")
PY
target/release/assignment-bench "$WORK/scores.f64" "$SIZE" "$SIZE" > "$WORK/trellis.txt"
python3 - "$WORK/scipy.txt" "$WORK/trellis.txt" "$SIZE" <<'PY'
import sys
def read(p):
    f = open(p).read().split()
    return float(f[1]), float(f[3])
s_total, s_time = read(sys.argv[1])
t_total, t_time = read(sys.argv[2])
print(f"{sys.argv[3]} x {sys.argv[3]} scores")
print(f"scipy   total {s_total:.6f}  {s_time:.3f} s")
print(f"trellis total {t_total:.6f}  {t_time:.3f} s")
print(f"same total: {abs(s_total - t_total) <= 1e-6 * max(1.0, abs(s_total))}")
print(f"ratio trellis / scipy: {t_time / s_time:.2f}")
PY
