#!/usr/bin/env python3
"""Runs a command and prints its wall time and peak resident memory (of the command and
its children), so a benchmark script needs nothing beyond Python."""
import resource, subprocess, sys, time

start = time.perf_counter()
code = subprocess.call(sys.argv[1:])
elapsed = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"  wall {elapsed:.2f} s, peak memory {peak_kib / 1024:.0f} MiB, exit {code}", file=sys.stderr)
sys.exit(code)
