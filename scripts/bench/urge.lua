-- wrk script: one transition per request, 催办 (urge) by a supervisor on open cases.
-- CASES_FILE lists "id version" per line. Each wrk thread takes every THREADS-th line, and cycles
-- through its share, so a case is not urged again before the answer to the last urge (which
-- carries the new version) has come back; a 409 would mean the list is too short for the load.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")

local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local ids, versions, n, i = {}, {}, 0, 0
function init(args)
  local threads = tonumber(os.getenv("THREADS") or "2")
  local line_no = 0
  for line in io.lines(os.getenv("CASES_FILE")) do
    local id, v = line:match("^(%S+)%s+(%d+)")
    if id and line_no % threads == tid then
      n = n + 1
      ids[n] = id
      versions[id] = tonumber(v)
    end
    line_no = line_no + 1
  end
end

request = function()
  i = i % n + 1
  local id = ids[i]
  local body = string.format('{"action":"urge","version":%d,"opinion":"请加快办理，按时答复群众"}', versions[id])
  return wrk.format(nil, "/api/v1/cases/" .. id .. "/transitions", nil, body)
end

response = function(status, headers, body)
  if status == 200 then
    local id = body:match('"id":"([%x%-]+)"')
    local v = body:match('"version":(%d+)')
    if id and v and versions[id] then versions[id] = tonumber(v) end
  end
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
