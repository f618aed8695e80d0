-- wrk: POSTs BENCH_BODY the way the dashboard's forms and scripts do,
-- with the session cookie (BENCH_COOKIE), an API token (BENCH_BEARER)
-- or a CLEMAP evsetoken (BENCH_EVSETOKEN, a simulator credential made up
-- for the benchmark).
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
local cookie = os.getenv("BENCH_COOKIE")
if cookie then wrk.headers["Cookie"] = cookie end
local token = os.getenv("BENCH_EVSETOKEN")
if token then wrk.headers["evsetoken"] = token end
local bearer = os.getenv("BENCH_BEARER")
if bearer then wrk.headers["Authorization"] = "Bearer " .. bearer end
