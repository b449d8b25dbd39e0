-- wrk: POST /v1/payouts with a unique Idempotency-Key each, cycling through the payees in a file;
-- each thread stops after its share of the total.
-- args: <api key> <payees file> <payouts per thread>
local count = 0
function setup(thread)
  thread:set("tid", count)
  count = count + 1
end

function init(args)
  key, limit = args[1], tonumber(args[3])
  payees = {}
  for line in io.lines(args[2]) do payees[#payees + 1] = line end
  n, answered = 0, 0
  prefix = string.format("bench-po-%d-%d-", os.time(), tid)
end

function request()
  n = n + 1
  local payee = payees[((n + tid * 7) % #payees) + 1]
  local body = '{"payee_id":"' .. payee .. '","amount":100,"currency":"USD","purpose":"payout"}'
  return wrk.format("POST", "/v1/payouts", {
    ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json", ["Idempotency-Key"] = prefix .. n }, body)
end

function response(status, headers, body)
  answered = answered + 1
  if answered >= limit then wrk.thread:stop() end
end
