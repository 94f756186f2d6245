// Groups (from `graphthb cluster`) whose ads span three or more countries:
// the multi-country pattern of organised groups.
// @param min_countries 3   the least number of countries
MATCH (a:Ad)-[:MEMBER_OF]->(g:Group)
WHERE a.country IS NOT NULL
WITH g, count(DISTINCT a.country) AS countries, count(DISTINCT a) AS ads
WHERE countries >= $min_countries
RETURN g.key AS group_id, g.score AS score, countries, ads
ORDER BY score DESC, countries DESC, group_id
