-- wrk script for bench/service.sh: posts the same signed push body to
-- /webhook with a unique X-GitHub-Delivery per request, counts replies by
-- status and checks that every 503 carries Retry-After.
--
-- Environment (read once per wrk thread):
--   BENCH_BODY       file with the push payload (sent byte for byte)
--   BENCH_SIGNATURE  its X-Hub-Signature-256 ("sha256=<hex>"), computed once
--   BENCH_PREFIX     delivery id prefix, unique per run (ids are PREFIX-THREAD-N)
--   BENCH_LIMIT      replies per wrk thread after which the thread stops; 0 or
--                    unset: run for wrk's -d. With one connection per thread
--                    (-t N -c N) exactly N * LIMIT deliveries are sent.
--   BENCH_CLOSE      1: "Connection: close", a new connection per delivery (as
--                    GitHub delivers); else wrk's keep-alive connections.
-- done() prints one line: "RESULT key=value ...", latencies in milliseconds.

local body = assert(io.open(assert(os.getenv("BENCH_BODY"), "BENCH_BODY unset"), "rb")):read("*a")
local signature = assert(os.getenv("BENCH_SIGNATURE"), "BENCH_SIGNATURE unset")
local prefix = os.getenv("BENCH_PREFIX") or "bench"
local limit = tonumber(os.getenv("BENCH_LIMIT") or "0") or 0
local close = os.getenv("BENCH_CLOSE") == "1"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  sent, replies = 0, 0
  s200, s202, s503, other, no_retry_after = 0, 0, 0, 0, 0
end

function request()
  sent = sent + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitHub-Hookshot/bench",
    ["X-GitHub-Event"] = "push",
    ["X-GitHub-Delivery"] = string.format("%s-%d-%d", prefix, tid, sent),
    ["X-Hub-Signature-256"] = signature,
  }
  if close then headers["Connection"] = "close" end
  return wrk.format("POST", "/webhook", headers, body)
end

function response(status, headers, reply)
  replies = replies + 1
  if status == 202 then
    s202 = s202 + 1
  elseif status == 503 then
    s503 = s503 + 1
    if not (headers["Retry-After"] or headers["retry-after"]) then no_retry_after = no_retry_after + 1 end
  elseif status == 200 then
    s200 = s200 + 1
  else
    other = other + 1
  end
  if limit > 0 and replies >= limit then wrk.thread:stop() end
end

-- `sent` counts deliveries put on the wire, less the one request() wrk calls
-- on the first thread to check the script.
function done(summary, latency, requests)
  local total = { sent = 0, s200 = 0, s202 = 0, s503 = 0, other = 0, no_retry_after = 0 }
  for _, thread in ipairs(threads) do
    for key in pairs(total) do total[key] = total[key] + (thread:get(key) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT replies=%d sent=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f rps=%.1f " ..
    "s202=%d s503=%d s200=%d other=%d no_retry_after=%d socket_errors=%d\n",
    summary.requests, total.sent - 1, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests / (summary.duration / 1e6),
    total.s202, total.s503, total.s200, total.other, total.no_retry_after,
    e.connect + e.read + e.write + e.timeout))
end
