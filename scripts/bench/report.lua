-- Shared by the bench scripts: one machine-readable line per run, after wrk's own report.
--   RESULT|<name>|<connections>|<requests/s>|<p50 ms>|<p99 ms>|<requests>|<non-2xx or socket errors>
function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT|%s|%s|%.0f|%.2f|%.2f|%d|%d\n",
    os.getenv("BENCH_NAME") or "?", os.getenv("BENCH_CONNS") or "?",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, errors))
end
