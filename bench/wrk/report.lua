-- Shared by every wrk script of the benchmark: at the end, one JSON line with the
-- figures bench/run keeps (latencies in milliseconds; wrk measures microseconds).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"wrk":true,"requests":%d,"seconds":%.3f,"p50_ms":%.3f,"p99_ms":%.3f,"status_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
