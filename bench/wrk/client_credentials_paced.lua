-- Scenario 6: client_credentials at a steady pace (each connection waits
-- BENCH_DELAY_MS after every answer), so the server has room to spare and the latency
-- shows interference (a login storm beside it), not a queue of our own requests.
dofile(os.getenv("BENCH_WRK_DIR") .. "/client_credentials.lua")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "5")
function delay()
  return pause
end
