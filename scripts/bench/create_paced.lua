-- wrk script: create.lua at a set rate instead of as fast as the server answers. Each of the
-- connections waits DELAY_MS (default 115) after an answer before its next request, so 64
-- connections offer about 64 / (0.115 s + latency) creates a second (~500): the latency of a
-- create at issue 16's goal rate, rather than under a queue of 64 always-waiting clients.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"subject":"Load test ticket","message":"Opened by wrk to measure creates per second","category":"bug-report"}'
local pause = tonumber(os.getenv("DELAY_MS") or "115")
function delay()
    return pause
end
