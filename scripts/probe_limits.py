#!/usr/bin/env python3
"""Repeats the outside probe of issue 19 against a running server and counts what the rate limits refuse.

    onewindow demo --bind 127.0.0.1:8080 --cases 100 &      # or any served database with the demo users
    python3 scripts/probe_limits.py http://127.0.0.1:8080

Four runs, each from this machine's one address: 1,000 wrong phones for one case number; walking the year's
sequential case numbers (up to 1,000, oldest first) with one known phone, 7 cases registered with it first by the
demo clerk at the end of the numbering (status 200 in the output: cases found); 100 anonymous portal
submissions; 100 usernames signed in with a wrong password. Prints, for each, how many were answered and how many
were refused with 429 (and the Retry-After seen). Uses the standard library only. Talks only to the given address,
sends a bounded number of requests and stops by itself.

The limits count per window: run it again after an hour (or against a fresh demo) for the same figures.
"""

import json
import sys
import time
import urllib.error
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
PASSWORD = "Demo@2026"


def call(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = raw.decode(errors="replace")
        return e.code, e.headers, payload


def run(name, requests):
    started = time.monotonic()
    counts, retry_after = {}, set()
    for method, path, body in requests:
        status, headers, _ = call(method, path, body)
        counts[status] = counts.get(status, 0) + 1
        if status == 429:
            retry_after.add(headers.get("Retry-After"))
    took = time.monotonic() - started
    refused = counts.get(429, 0)
    total = sum(counts.values())
    print(f"{name}: {total} requests in {took:.1f} s — {total - refused} answered, {refused} refused (429)"
          f" — by status {dict(sorted(counts.items()))}, Retry-After {sorted(r for r in retry_after if r)}")


def main():
    status, _, units = call("GET", "/api/v1/units")
    if status != 200:
        sys.exit(f"{BASE}/api/v1/units answered {status}: is the server running?")
    community = next(u["code"] for u in units if u["level"] == "community")

    def case(phone):
        return {"description": "小区路灯坏了一个月了，晚上很黑，老人出门不安全。", "nature": "help",
                "reporter": {"name": "探测", "phone": phone},
                "location": {"address": "金桥花园5幢", "region": community}}

    # A case to guess at, and six of one person's, registered by the clerk (not through the portal's limits).
    status, _, login = call("POST", "/api/v1/auth/login", {"username": "clerk", "password": PASSWORD})
    if status != 200:
        sys.exit(f"clerk cannot sign in ({status}): the demo users are needed")
    token = login["token"]
    numbers = []
    for _ in range(7):
        body = case("13700001111")
        body["source"] = "phone"
        status, _, c = call("POST", "/api/v1/cases", body, token)
        if status != 201:
            sys.exit(f"creating a case answered {status}: {c}")
        numbers.append(c["number"])
    target = numbers[0]
    year, last = target[:4], int(numbers[-1][5:])
    first = max(1, last - 999)

    run("1,000 wrong phones for one case number",
        [("GET", f"/api/v1/portal/cases/{target}?phone=1390000{i:04d}", None) for i in range(1000)])
    run(f"walking {last - first + 1} case numbers with one known phone (its 7 cases are the newest)",
        [("GET", f"/api/v1/portal/cases/{year}-{n:06d}?phone=13700001111", None) for n in range(first, last + 1)])
    run("100 anonymous portal submissions",
        [("POST", "/api/v1/portal/cases", case(f"1360000{i:04d}")) for i in range(100)])
    run("100 usernames with a wrong password",
        [("POST", "/api/v1/auth/login", {"username": f"probe{i}", "password": "Guess-123456"}) for i in range(100)])


if __name__ == "__main__":
    main()
