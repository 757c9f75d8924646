-- wrk script: Open311 POST requests.json (form-encoded) with an API key from the environment.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local counter = 0
request = function()
  counter = counter + 1
  local body = "api_key=" .. os.getenv("API_KEY") .. "&service_code=CSGL-SRHJ&description=" ..
    "%E8%B7%AF%E7%81%AF%E4%B8%8D%E4%BA%AE" .. counter .. "&address_id=" .. os.getenv("REGION") ..
    "&first_name=%E5%BC%A0&phone=1390000" .. string.format("%04d", counter % 10000)
  return wrk.format(nil, nil, nil, body)
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
