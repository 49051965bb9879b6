-- bench/api.py's load generator: one connection per wrk thread (-t N -c N), so each
-- thread is one user with its own session cookie and times its own requests.
-- Settings come from the environment (see bench/apiload/wrk.py):
--   BENCH_MIX      e.g. "list=0.8,post=0.2" (kinds: list, check, post, like, isso)
--   BENCH_LIST     path of the thread listing       BENCH_POST  path to post comments to
--   BENCH_LIKE     path of the like toggle           BENCH_ORIGIN  the Origin header
--   BENCH_ETAG     the listing's ETag (kind check: a revalidation answered 304)
--   BENCH_COOKIES  file with one Cookie header value per line (user i uses line i)
--   BENCH_OUT      file that receives one line per answer: kind status microseconds [id]
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function micros()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

local mix = {}
local cookie = nil
local liked = false
local sent = 0
local kind, started

function init(_args)
  for name, share in string.gmatch(os.getenv("BENCH_MIX"), "(%a+)=([%d.]+)") do
    table.insert(mix, { name, tonumber(share) })
  end
  local path = os.getenv("BENCH_COOKIES") or ""
  if path ~= "" then
    local lines = {}
    for line in io.lines(path) do table.insert(lines, line) end
    cookie = lines[(index - 1) % #lines + 1]
  end
  math.randomseed(index * 7919)
  records = {} -- global: done() reads it with thread:get
end

local function pick()
  local roll, sum = math.random(), 0
  for _, entry in ipairs(mix) do
    sum = sum + entry[2]
    if roll < sum then return entry[1] end
  end
  return mix[#mix][1]
end

local function headers(with_cookie)
  local h = { ["Content-Type"] = "application/json", ["Origin"] = os.getenv("BENCH_ORIGIN") }
  if with_cookie and cookie then h["Cookie"] = cookie end
  return h
end

local function comment_body()
  sent = sent + 1
  local text = string.format(
    "Comment %d of user %d: *some* Markdown with `code` and a [link](https://example.org/%d)."
      .. "\\n\\nA second paragraph of ordinary length to make the thread realistic.",
    sent, index, sent)
  return '{"body":"' .. text .. '"}'
end

local function isso_body()
  sent = sent + 1
  return string.format(
    '{"text":"Comment %d of user %d: *some* Markdown with `code`.","author":"Bench %d",'
      .. '"title":"Bench"}', sent, index, index)
end

function request()
  kind = pick()
  started = micros()
  if kind == "list" then
    return wrk.format("GET", os.getenv("BENCH_LIST"))
  elseif kind == "check" then
    return wrk.format("GET", os.getenv("BENCH_LIST"), { ["If-None-Match"] = os.getenv("BENCH_ETAG") })
  elseif kind == "post" then
    return wrk.format("POST", os.getenv("BENCH_POST"), headers(true), comment_body())
  elseif kind == "like" then
    liked = not liked
    return wrk.format(liked and "PUT" or "DELETE", os.getenv("BENCH_LIKE"), headers(true), "{}")
  else -- isso: Isso wants a Referer from its host as well
    local h = headers(false)
    h["Referer"] = os.getenv("BENCH_ORIGIN") .. "/posts/bench/"
    return wrk.format("POST", os.getenv("BENCH_POST"), h, isso_body())
  end
end

-- Reads only (list, check): no response() at all, so wrk hands no 100 KB bodies to Lua
-- and its own latency histogram is used; writes need each answer's status and id.
local mix_text = os.getenv("BENCH_MIX") or ""
local writes = mix_text:find("post") or mix_text:find("like") or mix_text:find("isso")

local function record(status, _headers, body)
  local line = kind .. " " .. status .. " " .. math.floor(micros() - started)
  if status == 201 and kind == "post" then
    line = line .. " " .. (body:match('"id":(%d+)') or "?")
  end
  records[#records + 1] = line
end
if writes then response = record end

function done(summary, latency, _requests)
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  if not writes then
    out:write(string.format("summary %s %d %d %d %d\n", mix_text:match("^(%a+)"),
      summary.requests, summary.errors.status, latency:percentile(50), latency:percentile(99)))
  end
  for _, thread in ipairs(threads) do
    for _, line in ipairs(thread:get("records")) do out:write(line, "\n") end
  end
  local e = summary.errors
  out:write(string.format("socket %d %d %d %d %d\n", e.connect, e.read, e.write, e.timeout,
    summary.duration))
  out:close()
end
