#!/usr/bin/env python3
"""What the audit log (issue 19.15) costs a case list: the same page asked for by a clerk (who sees phones
unmasked: one audit row written per request) and by a supervisor (masked: nothing written), sequentially and with
concurrent clients. Run against a server started by hand, e.g.

    onewindow seed --db sqlite:///tmp/bm/a.db --cases 100000 --years 2
    onewindow serve --db sqlite:///tmp/bm/a.db --bind 127.0.0.1:8099 &
    python3 scripts/audit_cost.py http://127.0.0.1:8099 [requests] [clients]

Prints requests per second and the median and 99th percentile latency for each role.
"""
import json
import statistics
import sys
import threading
import time
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8099"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 400
CLIENTS = int(sys.argv[3]) if len(sys.argv) > 3 else 8
PASSWORD = "Demo@2026"


def login(user):
    req = urllib.request.Request(
        BASE + "/api/v1/auth/login",
        data=json.dumps({"username": user, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    return json.load(urllib.request.urlopen(req))["token"]


def get(token, path):
    req = urllib.request.Request(BASE + path, headers={"Authorization": "Bearer " + token})
    t = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        r.read()
    return time.perf_counter() - t


def run(token, clients):
    lat = []
    lock = threading.Lock()
    per = N // clients

    def worker(k):
        mine = []
        for i in range(per):
            page = (k * per + i) % 50 + 1
            mine.append(get(token, f"/api/v1/cases?page={page}&page_size=20"))
        with lock:
            lat.extend(mine)

    start = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    took = time.perf_counter() - start
    lat.sort()
    return len(lat) / took, statistics.median(lat) * 1000, lat[int(len(lat) * 0.99) - 1] * 1000


def main():
    tokens = {u: login(u) for u in ("clerk", "supervisor")}
    for clients in (1, CLIENTS):
        for user in ("supervisor", "clerk"):
            get(tokens[user], "/api/v1/cases?page_size=20")  # warm
            rps, p50, p99 = run(tokens[user], clients)
            print(f"{user:10} clients={clients:2}  {rps:7.1f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")


main()
