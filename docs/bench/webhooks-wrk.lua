-- VITALS_TOKEN: an ingest token (`vitals tokens create --role ingest`); without one every request is a 401
counter = 0
headers = {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. (os.getenv("VITALS_TOKEN") or "")}
request = function()
  counter = counter + 1
  local id = string.format("wrk-%d-%d", math.random(1, 1000000000), counter)
  local body = '[{"event_id":"' .. id .. '","org_id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","provider_id":"dddddddd-dddd-4ddd-8ddd-dddddddddddd","occurred_at":"2026-12-02 02:00:00","event_name":"page_view","properties":"{}"}]'
  return wrk.format("POST", "/ingest/events", headers, body)
end
