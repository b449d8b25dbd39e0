-- wrk: POST /v1/payments with a unique Idempotency-Key per request (a new payment each time), or
-- with `replay` a fixed set of keys already answered (every request is a stored replay).
-- args: <api key> <mode: create|replay> [<keys for replay>]
local count = 0
function setup(thread)
  thread:set("tid", count)
  count = count + 1
end

function init(args)
  key, mode, keys = args[1], args[2], tonumber(args[3] or "0")
  n = 0
  prefix = string.format("bench-%d-%d-", os.time(), tid)
  body = '{"amount":1050,"currency":"USD","payment_method":"pm_card_visa","description":"bench"}'
end

function request()
  n = n + 1
  local idempotency
  if mode == "replay" then
    idempotency = "replay-" .. (n % keys)
  else
    idempotency = prefix .. n
  end
  return wrk.format("POST", "/v1/payments", {
    ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json", ["Idempotency-Key"] = idempotency }, body)
end
