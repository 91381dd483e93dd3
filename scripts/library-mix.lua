-- wrk script: cycles over a mix of library searches (MODE=api: the JSON
-- API; MODE=page: the HTML page).
local mode = os.getenv("MODE") or "api"
local base = mode == "api" and "/api/v1/publications?" or "/publications?"
local queries = {
  "", "q=dotation", "q=finances+locales", "q=fonction+publique+territoriale",
  "q=%22collectivit%C3%A9s+locales%22", "q=populations+l%C3%A9gales+2021",
  "theme=Finances+%26+Fiscalit%C3%A9", "type=Jeu+de+donn%C3%A9es&theme=Aide+%26+Dotations",
  "q=communes&page=2", "q=investisements+scolaires", "year=2026&year=2023&sort=date",
  "q=EPCI&territory=REG-76", "territory=DEP-31&type=Publication+statistique",
  "q=comptes+consolid%C3%A9s&sort=date&page=3", "scope=Communes+%26+EPCI+%28toutes%29",
  "q=communes+rurales&theme=G%C3%A9ographie+%26+Intercommunalit%C3%A9s",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", base .. queries[(i % #queries) + 1])
end
