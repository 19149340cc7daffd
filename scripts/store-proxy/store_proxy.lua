-- The Lua of scripts/store-proxy.sh (see its --help): per request, count it by method, wait the
-- added latency, and answer a write (PUT, or POST for GCS uploads) with the store's own "slow
-- down" error when the dice say so or when writes this second are over the limit.
local M = {}

local dict = ngx.shared.store_proxy

local S3_SLOW_DOWN = '<?xml version="1.0" encoding="UTF-8"?>\n'
  .. '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>'
  .. '<RequestId>%s</RequestId><HostId>store-proxy</HostId></Error>'

local GCS_RATE_LIMITED = '{"error":{"code":429,"message":"The rate of change requests to the bucket'
  .. ' is too high. Please slow down.","errors":[{"message":"The rate of change requests to the'
  .. ' bucket is too high. Please slow down.","domain":"usageLimits","reason":"rateLimitExceeded"}]}}'

local function is_write(method)
  return method == "PUT" or method == "POST"
end

-- Counts the write in its wall-clock second, keeps the busiest second, and says whether the
-- second is over the limit.
local function over_rate()
  local n = dict:incr("second:" .. math.floor(ngx.now()), 1, 0, 10) or 0
  if n > (dict:get("max_per_second") or 0) then
    dict:set("max_per_second", n)
  end
  local limit = tonumber(ngx.var.store_writes_per_second) or 0
  return limit > 0 and n > limit
end

local function slow_down()
  dict:incr("slowdowns", 1, 0)
  -- The body is read first, so a client that sent Expect: 100-continue gets its 100 and the
  -- connection stays in step, as with a real store that refuses after reading.
  ngx.req.read_body()
  if ngx.var.store_flavor == "gcs" then
    ngx.status = 429
    ngx.header["Content-Type"] = "application/json; charset=UTF-8"
    ngx.print(GCS_RATE_LIMITED)
  else
    ngx.status = 503
    ngx.header["Content-Type"] = "application/xml"
    ngx.print(string.format(S3_SLOW_DOWN, ngx.var.request_id))
  end
  return ngx.exit(ngx.HTTP_OK)
end

function M.access()
  local method = ngx.req.get_method()
  dict:incr("method:" .. method, 1, 0)
  local latency = tonumber(ngx.var.store_latency_ms) or 0
  if latency > 0 then
    ngx.sleep(latency / 1000)
  end
  if not is_write(method) then
    return
  end
  dict:incr("writes", 1, 0)
  -- Counted before the dice, so the rate is of writes that arrive, as a store's limit is.
  local limited = over_rate()
  local percent = tonumber(ngx.var.store_slowdown_percent) or 0
  if limited or (percent > 0 and math.random() * 100 < percent) then
    return slow_down()
  end
end

function M.stats()
  local methods = {}
  for _, key in ipairs(dict:get_keys(0)) do
    local m = key:match("^method:(.+)$")
    if m then
      methods[#methods + 1] = string.format('"%s":%d', m, dict:get(key) or 0)
    end
  end
  ngx.header["Content-Type"] = "application/json"
  ngx.say(string.format('{"methods":{%s},"writes":%d,"slowdowns":%d,"max_writes_per_second":%d}',
    table.concat(methods, ","), dict:get("writes") or 0, dict:get("slowdowns") or 0,
    dict:get("max_per_second") or 0))
end

function M.reset()
  dict:flush_all()
  ngx.say("reset")
end

return M
