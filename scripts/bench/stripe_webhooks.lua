-- wrk: replays pre-signed Stripe webhooks (one unique event per request), split across threads.
-- args: <path> <file of "signature<TAB>body" lines> <threads>
local count = 0
function setup(thread)
  thread:set("tid", count)
  count = count + 1
end

function init(args)
  local path, file, threads = args[1], args[2], tonumber(args[3])
  requests = {}
  local i = 0
  for line in io.lines(file) do
    if i % threads == tid then
      local tab = line:find("\t", 1, true)
      requests[#requests + 1] = wrk.format("POST", path,
        { ["Content-Type"] = "application/json", ["Stripe-Signature"] = line:sub(1, tab - 1) }, line:sub(tab + 1))
    end
    i = i + 1
  end
  position = 0
end

function request()
  position = position + 1
  if position > #requests then position = 1 end
  return requests[position]
end
