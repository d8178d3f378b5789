-- A plain GET of the URL given to wrk (discovery, JWKS).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
