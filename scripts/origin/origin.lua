-- The Lua of scripts/origin.sh's nginx (fault endpoints aside: fault.lua): added latency, chaos
-- fault injection and the capacity limit, plus their stats pages. The settings come from the
-- environment that nginx.conf.in's env directives give the workers, read once per worker.
local M = {}

local latency_s = (tonumber(os.getenv("ORIGIN_LATENCY_MS")) or 0) / 1000
local capacity = tonumber(os.getenv("ORIGIN_CAPACITY")) or 0
local chaos_seed = tonumber(os.getenv("ORIGIN_CHAOS_SEED")) or 1

-- The chaos mix, {{"reset", 2}, ...} in the order the random draw walks it, from
-- "reset=2,503=2,..." (origin.sh has checked every kind and percentage). Empty: chaos is off.
local mix = {}
for kind, pct in (os.getenv("ORIGIN_CHAOS_MIX") or ""):gmatch("([^,=]+)=([^,]+)") do
  mix[#mix + 1] = { kind, tonumber(pct) }
end
local chaos_on = false
for _, m in ipairs(mix) do
  if m[2] > 0 then chaos_on = true end
end

function M.init_worker()
  math.randomseed(chaos_seed * 1000 + ngx.worker.id())
end

-- The request's name among all in flight: the connection's serial number (unique across workers)
-- and the request's number on that connection. Not ngx.ctx nor a set variable: an internal
-- redirect (the fault endpoints) clears the one and reruns the server's set directives on the
-- other, and the count would leak.
local function capacity_key()
  return "held " .. ngx.var.connection .. " " .. ngx.var.connection_requests
end

-- Counts the request in, or refuses it with 503 when capacity requests are already in flight.
-- Runs before the latency and chaos code, so their pauses happen while the request holds its place.
local function capacity_enter()
  if ngx.req.is_internal() or ngx.var.uri:sub(1, 3) == "/__" then return end
  local dict = ngx.shared.capacity
  dict:incr("requests", 1, 0)
  local n, err = dict:incr("in_flight", 1, 0)
  if not n then
    ngx.log(ngx.ERR, "capacity counter: ", err)
  elseif n > capacity then
    dict:incr("in_flight", -1)
    dict:incr("rejected", 1, 0)
    return ngx.exit(503)
  else
    local recorded, why = dict:safe_set(capacity_key(), true)
    if not recorded then
      ngx.log(ngx.ERR, "capacity: place not recorded, not counted: ", why)
      dict:incr("in_flight", -1)
    end
  end
end

-- Draws one fault for a plain file request from a client (so a retried request draws again).
-- Latency is paid first, like without chaos.
local function chaos()
  if ngx.req.is_internal() then return end
  if latency_s > 0 then ngx.sleep(latency_s) end
  local uri = ngx.var.uri
  if uri:sub(1, 7) == "/fault/" or uri:sub(1, 9) == "/__chaos/" then return end
  local dict = ngx.shared.chaos
  dict:incr("requests", 1, 0)
  local function inject(kind)
    dict:incr("fault " .. kind, 1, 0)
    ngx.var.chaos = kind
  end
  local now = ngx.now()
  -- Inside a host-wide 503 window every request gets 503, whatever it draws.
  if now < (dict:get("window_until") or 0) then
    inject("503")
    return ngx.exit(503)
  end
  local r, acc, kind = math.random() * 100, 0, nil
  for _, m in ipairs(mix) do
    acc = acc + m[2]
    if r < acc then kind = m[1]; break end
  end
  if not kind then return end
  if kind == "reset" then
    inject(kind)
    return ngx.exit(444)
  elseif kind == "503" then
    -- add() is atomic across workers: only one request opens the window.
    if now >= (dict:get("window_next") or 0) and dict:add("window_lock " .. math.floor(now / 15), 1, 30) then
      dict:set("window_until", now + 0.5)
      dict:set("window_next", now + 15)
      dict:incr("fault 503_window", 1, 0)
    end
    inject(kind)
    return ngx.exit(503)
  elseif kind == "429" then
    inject(kind)
    ngx.header["Retry-After"] = "1"
    return ngx.exit(429)
  elseif kind == "latency" then
    inject(kind)
    ngx.sleep(0.5 + math.random() * 1.5)
    return
  end
  -- The rest are the fault endpoints, reached by an internal redirect.
  inject(kind)
  return ngx.exec("/fault/" .. kind .. uri)
end

-- The access phase (access.conf): capacity first, then chaos or plain latency. ngx.exit and
-- ngx.exec end the request from inside these functions.
function M.access()
  if capacity > 0 then capacity_enter() end
  if chaos_on then
    return chaos()
  end
  -- Internal redirects (the fault endpoints that end by serving the real file) skip it, so a
  -- request pays the latency once.
  if latency_s > 0 and not ngx.req.is_internal() then ngx.sleep(latency_s) end
end

-- The log phase with --capacity (capacity.conf): gives back the place this request took.
function M.capacity_leave()
  local dict = ngx.shared.capacity
  local key = capacity_key()
  if dict:get(key) then
    dict:delete(key)
    dict:incr("in_flight", -1)
  end
end

-- GET /__capacity/stats as JSON.
function M.capacity_stats()
  local dict = ngx.shared.capacity
  ngx.header["Content-Type"] = "application/json"
  ngx.say(string.format('{"capacity":%d,"requests":%d,"rejected":%d,"in_flight":%d}', capacity,
                        dict:get("requests") or 0, dict:get("rejected") or 0,
                        dict:get("in_flight") or 0))
end

-- GET /__chaos/stats as JSON (no cjson needed: keys are plain words).
function M.chaos_stats()
  local dict = ngx.shared.chaos
  local parts = {}
  for _, key in ipairs(dict:get_keys(0)) do
    local kind = key:match("^fault (.+)$")
    if kind then
      parts[#parts + 1] = string.format('"%s":%d', kind, dict:get(key) or 0)
    end
  end
  table.sort(parts)
  ngx.header["Content-Type"] = "application/json"
  ngx.say(string.format('{"requests":%d,"faults":{%s}}', dict:get("requests") or 0,
                        table.concat(parts, ",")))
end

return M
