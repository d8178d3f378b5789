-- Scenario 2: POST the token endpoint, client_credentials, client_secret_basic.
-- BENCH_BASIC is the Authorization header value, BENCH_SCOPE the scope asked for.
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=" .. (os.getenv("BENCH_SCOPE") or "api")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_BASIC")
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
