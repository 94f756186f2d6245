// One group's ads in the order they were posted: who was advertised where
// and when (movement between cities shows here).
// @param group_id   the group id, e.g. G-1a2b3c4d (see `graphthb groups`)
MATCH (a:Ad)-[:MEMBER_OF]->(g:Group {key: $group_id})
RETURN a.posted_at AS posted_at, a.key AS ad, a.persona AS persona,
       a.city AS city, a.country AS country, a.platform AS platform
ORDER BY posted_at, ad
