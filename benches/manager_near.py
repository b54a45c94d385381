"""Prints the e-mail of the manager whose tree is closest to SIZE people (default 500),
from an export of people (`trellis export people FILE`)."""
import collections
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
target = int(sys.argv[2]) if len(sys.argv) > 2 else 500
kids = collections.defaultdict(list)
for r in rows:
    if r["Status"].lower() == "active":
        kids[r["Manager Email"]].append(r["Email"])
size = {}
order = [r["Email"] for r in rows if not r["Manager Email"]]
for e in order:  # breadth-first, then sizes bottom-up
    order.extend(kids[e])
for e in reversed(order):
    size[e] = 1 + sum(size[k] for k in kids[e])
print(min(size, key=lambda e: abs(size[e] - target)))
