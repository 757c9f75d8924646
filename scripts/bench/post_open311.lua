-- wrk script: Open311 POST requests.json (form-encoded) with an API key from the environment.
-- Service codes and descriptions rotate through a mix of everyday matters (see post_case.lua).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local mix = {
  {"CSGL-SRHJ", "小区门口路灯不亮，晚上出行不便"},
  {"HJBH-ZSWR", "广场舞音响太响，晚上十点还没停，噪声扰民", "&attribute%5BNOISE_TIME%5D=night"},
  {"HJBH-LJFL", "垃圾分类点的厨余垃圾桶满了没人清运"},
  {"CSGL-ZDJY", "菜场门口流动摊贩占道，车辆进出困难"},
  {"ZFJS-FWZL", "新房交房后外墙渗水，开发商一直拖着不修"},
  {"HJBH-DQWR", "楼下烧烤店油烟直排，窗户都不敢开"},
  {"ZFJS-WYGL", "物业收了物业费，楼道保洁却一周才来一次"},
  {"CSGL-HWGG", "人行道上的广告牌松动，刮风时很危险"},
}
local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
for _, m in ipairs(mix) do m[2] = urlencode(m[2]) end
local counter = 0
request = function()
  counter = counter + 1
  local m = mix[counter % #mix + 1]
  local body = "api_key=" .. os.getenv("API_KEY") .. "&service_code=" .. m[1] .. "&description=" ..
    m[2] .. counter .. (m[3] or "") .. "&address_id=" .. os.getenv("REGION") ..
    "&first_name=%E5%BC%A0&phone=1390000" .. string.format("%04d", counter % 10000)
  return wrk.format(nil, nil, nil, body)
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
