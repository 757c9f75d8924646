-- wrk script: authenticated GET; PATHS is a |-separated list cycled through.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local paths = {}
for p in string.gmatch(os.getenv("PATHS"), "[^|]+") do table.insert(paths, p) end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
