-- wrk script: POST /api/v1/cases with a distinct body per request; TOKEN from the environment.
-- The descriptions rotate through a mix of the district's everyday matters (as a day's calls do),
-- so that the history the intakes add is not one repeated sentence: searches and triage after an
-- intake run then see the mix a real day leaves, not 100,000 copies of one complaint.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local mix = {
  {"小区门口路灯不亮，晚上出行不便，希望尽快维修", "城市管理/市容环境"},
  {"楼下饭店夜间噪声扰民，油烟也很大，影响休息", "环境保护/噪声污染"},
  {"小区垃圾桶满了两天没人清运，气味很大", "环境保护/垃圾分类"},
  {"路口有人占道经营，早高峰堵车严重", "城市管理/占道经营"},
  {"楼上住户卫生间漏水，渗到我家天花板，协商不成", "住房建设/房屋质量"},
  {"公司拖欠三个月工资不发，老板联系不上", "劳动社保/拖欠工资"},
  {"工地夜间施工噪声太大，凌晨还在打桩", "环境保护/噪声污染"},
  {"小区地下车库被外来车辆占用，物业不管", "交通运输/停车管理"},
}
local counter = 0
local thread_id = tostring(math.random(1000, 9999))
request = function()
  counter = counter + 1
  local m = mix[counter % #mix + 1]
  local body = string.format(
    '{"description":"压测工单%s-%d：%s","nature":"help","category":"%s","source":"phone","reporter":{"name":"压测","phone":"1380000%04d"},"location":{"address":"金桥路%d号","region":"%s"}}',
    thread_id, counter, m[1], m[2], counter % 10000, counter % 500, os.getenv("REGION"))
  return wrk.format(nil, nil, nil, body)
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
