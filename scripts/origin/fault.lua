-- The fault endpoints of scripts/origin.sh (content phase of /fault/): /fault/<kind>/<path>
-- answers <path> with the fault <kind> (404, 403, 503-twice, 429, reset, truncate, hang, html, …).
local uri = ngx.var.uri
local kind, rest = uri:match("^/fault/([%w%-]+)/(.+)$")
if not kind then
  return ngx.exit(ngx.HTTP_NOT_FOUND)
end
-- Counters are keyed by the raw request URI (with its query string), so a test can get
-- fresh counters by adding ?run=N without restarting nginx.
local function hit(name)
  local n, err = ngx.shared.faults:incr(name .. " " .. ngx.var.request_uri, 1, 0)
  if not n then
    ngx.log(ngx.ERR, "fault counter: ", err)
    return 1
  end
  return n
end
-- Serves the real file at /<rest> through the static location (an internal redirect,
-- so the added latency is not paid twice).
local function real_file()
  return ngx.exec("/" .. rest)
end
-- The bytes of the real file at /<rest>, for the endpoints that send it themselves; a
-- missing file ends the request with 404 here (in the content phase ngx.exit ends the
-- handler even from inside a function, as ngx.exec does in real_file).
local function real_body()
  local f = io.open(ngx.var.document_root .. "/" .. rest, "rb")
  if not f then
    return ngx.exit(404)
  end
  local body = f:read("*a")
  f:close()
  return body
end

if kind == "404" then
  return ngx.exit(404)
elseif kind == "403" then
  return ngx.exit(403)
elseif kind == "status" then
  local code = tonumber(rest:match("^(%d%d%d)/"))
  if not code or code < 200 then
    return ngx.exit(400)
  end
  ngx.status = code
  ngx.header["Content-Type"] = "text/plain"
  ngx.say("status ", code)
  return ngx.exit(code)
elseif kind == "503-twice" then
  if hit("503") <= 2 then
    ngx.header["Content-Type"] = "text/plain"
    return ngx.exit(503)
  end
  return real_file()
elseif kind == "429" then
  if hit("429") <= 1 then
    ngx.header["Retry-After"] = "1"
    return ngx.exit(429)
  end
  return real_file()
elseif kind == "reset" then
  -- 444: nginx closes the connection without sending anything.
  return ngx.exit(444)
elseif kind == "truncate" or kind == "truncate-reset" then
  local body = real_body()
  ngx.header["Content-Type"] = "image/png"
  ngx.header["Content-Length"] = #body
  ngx.print(body:sub(1, math.floor(#body / 2)))
  ngx.flush(true)
  if kind == "truncate-reset" then
    -- Headers are out, so 444 cannot change the status: nginx drops the connection
    -- with a TCP reset.
    return ngx.exit(444)
  end
  -- This location has keep-alive off, so ending the request here closes the connection
  -- cleanly (FIN): the client sees end-of-stream short of the declared length.
  return ngx.exit(ngx.OK)
elseif kind == "hang" then
  ngx.sleep(3600)
  return ngx.exit(504)
elseif kind == "html" then
  ngx.header["Content-Type"] = "text/html; charset=utf-8"
  ngx.say("<!DOCTYPE html><html><head><title>Service notice</title></head>",
          "<body><h1>We'll be right back</h1><p>", ngx.var.request_uri,
          "</p></body></html>")
  return ngx.exit(200)
elseif kind == "big" or kind == "big-declared" then
  local total = 80 * 1024 * 1024
  local piece = 64 * 1024
  -- Starts like a PNG, so only the size can tell the client to give up.
  local first = "\137PNG\r\n\26\n" .. string.rep("\0", piece - 8)
  local filler = string.rep("\0", piece)
  ngx.header["Content-Type"] = "image/png"
  if kind == "big-declared" then
    ngx.header["Content-Length"] = total
  end
  local sent = 0
  while sent < total do
    local ok = ngx.print(sent == 0 and first or filler)
    -- flush(true) waits until the piece is on the wire: memory stays bounded and a
    -- client that hangs up stops the loop.
    if not ok or not ngx.flush(true) then
      return ngx.exit(444)
    end
    sent = sent + piece
  end
  return ngx.exit(200)
elseif kind == "slow" or kind == "mislabeled" then
  local body = real_body()
  ngx.header["Content-Type"] = kind == "slow" and "image/png" or "text/html"
  ngx.header["Content-Length"] = #body
  if kind == "mislabeled" then
    ngx.print(body)
    return ngx.exit(200)
  end
  -- 8 pieces, 1.5 s in all: under a 3 s request timeout it should still end ok.
  local piece = math.ceil(#body / 8)
  for i = 0, 7 do
    local part = body:sub(i * piece + 1, (i + 1) * piece)
    if #part > 0 then
      if not ngx.print(part) or not ngx.flush(true) then
        return ngx.exit(444)
      end
    end
    if i < 7 then ngx.sleep(1.5 / 7) end
  end
  return ngx.exit(200)
elseif kind == "redirect" then
  return ngx.redirect("/" .. rest, 302)
elseif kind == "loop" then
  return ngx.redirect(ngx.var.request_uri, 302)
end
return ngx.exit(404)
