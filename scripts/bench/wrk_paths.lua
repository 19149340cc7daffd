-- wrk script for the benchmark: GET the manifest's paths in turn (the server's ceiling on the
-- same URLs the downloaders fetch; wrk reads and discards bodies, it writes nothing).
-- Usage: wrk -t T -s wrk_paths.lua URL -- PATHS_FILE T
-- Thread k of T starts at k/T of the list, so threads do not request the same paths together.
-- done() prints one line "WRK_JSON {...}" with the totals the harness parses.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  local f = assert(io.open(args[1], "r"), "cannot open " .. tostring(args[1]))
  for line in f:lines() do
    if line ~= "" then paths[#paths + 1] = "/" .. line end
  end
  f:close()
  assert(#paths > 0, "no paths in " .. args[1])
  local nthreads = math.max(1, tonumber(args[2]) or 1)
  index = math.floor(#paths * tonumber(offset or 0) / nthreads) % #paths
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "bytes": %d, "duration_us": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, ' ..
    '"latency_p50_us": %d, "latency_p99_us": %d}\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99)))
end
