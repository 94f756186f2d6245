// Phone numbers that appear in ads in several countries: a number that
// follows ads across borders is often a controller's or a booker's.
// @param min_countries 2   the least number of countries
// @param limit 50          how many rows
MATCH (a:Ad)-[:HAS_PHONE]->(p:Phone)
WHERE a.country IS NOT NULL
WITH p, count(DISTINCT a.country) AS countries, count(DISTINCT a) AS ads
WHERE countries >= $min_countries
RETURN p.key AS phone, countries, ads
ORDER BY countries DESC, ads DESC, phone
LIMIT $limit
