-- wrk script: POST /api/v1/cases with a distinct body per request; TOKEN from the environment.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local counter = 0
local thread_id = tostring(math.random(1000, 9999))
request = function()
  counter = counter + 1
  local body = string.format(
    '{"description":"压测工单%s-%d：小区门口路灯不亮，晚上出行不便，希望尽快维修","nature":"help","category":"城市管理/市容环境","source":"phone","reporter":{"name":"压测","phone":"1380000%04d"},"location":{"address":"金桥路%d号","region":"%s"}}',
    thread_id, counter, counter % 10000, counter % 500, os.getenv("REGION"))
  return wrk.format(nil, nil, nil, body)
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
