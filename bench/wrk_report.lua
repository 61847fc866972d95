-- wrk reporter: one JSON line with p50/p95/p99 latency (ms), requests/s and errors.
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "rps": %.1f, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, "errors": %d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, errors))
end
