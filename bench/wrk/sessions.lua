-- wrk: GETs the paths in BENCH_PATHS (comma-separated) in turn, each
-- request as the next of the logged-in sessions in the file BENCH_COOKIES
-- (one "name=value" per line), so every connection browses as many users.
local cookies, paths = {}, {}
for line in io.lines(os.getenv("BENCH_COOKIES")) do
  if line ~= "" then cookies[#cookies + 1] = line end
end
for path in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^,]+") do
  paths[#paths + 1] = path
end
local n = 0
request = function()
  n = n + 1
  local headers = { Cookie = cookies[n % #cookies + 1], ["Accept-Encoding"] = "br" }
  return wrk.format("GET", paths[n % #paths + 1], headers)
end
