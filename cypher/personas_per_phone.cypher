// How many different persona names one phone number answers for. One
// number behind many "women" points at a third party taking the bookings.
// @param min_personas 2   the least number of distinct persona names
// @param limit 50         how many rows
MATCH (a:Ad)-[:HAS_PHONE]->(p:Phone)
WHERE a.persona IS NOT NULL
WITH p, count(DISTINCT lower(a.persona)) AS personas, count(DISTINCT a) AS ads
WHERE personas >= $min_personas
RETURN p.key AS phone, personas, ads
ORDER BY personas DESC, ads DESC, phone
LIMIT $limit
