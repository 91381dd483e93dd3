-- The normal traffic of scripts/soak.sh: territory search, fiches,
-- uncached library searches (a different query each time) and a small
-- export; the slow readers and idle sockets run beside it.
local paths = {
  "/api/v1/search?q=montpel", "/api/v1/search?q=st+etienne", "/commune/annecy-74010",
  "/departement/herault-34", "/epci/metropole-de-lyon-200046977", "/region/occitanie-76",
  "/publications?q=finances+%d", "/api/v1/publications?q=dotation+%d&theme=Finances+%%26+Fiscalit%%C3%%A9",
  "/departement/lozere-48/communes.csv",
}
local n = 0
request = function()
  n = n + 1
  local p = paths[(n % #paths) + 1]
  if p:find("%%d") then p = string.format(p, n) end
  return wrk.format("GET", p)
end
