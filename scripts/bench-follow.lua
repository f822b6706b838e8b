-- wrk: follow and unfollow the demo shop's eight people in turn, as the account whose session
-- cookie is in the environment (COOKIE="agora_session=…").
local people = {"mira", "tomas", "aiko", "lena", "samir", "ines", "jonah", "priya"}
local cookie = os.getenv("COOKIE")
local n = 0
request = function()
  n = n + 1
  local action = (math.floor(n / #people) % 2 == 0) and "follow" or "unfollow"
  local body = '{"username":"' .. people[n % #people + 1] .. '","action":"' .. action .. '"}'
  return wrk.format("POST", "/api/follow", {["Content-Type"] = "application/json", ["Cookie"] = cookie}, body)
end
