// Persons an analyst asserted as controllers, linked (CONTROLS or
// ACCOMPANIES) to several persons asserted as potential victims.
// @param min_victims 2   the least number of potential victims
MATCH (c:Person)-[:CONTROLS|ACCOMPANIES]->(v:Person)
WHERE c.role = 'controller' AND v.role = 'potential_victim'
WITH c, count(DISTINCT v) AS victims
WHERE victims >= $min_victims
RETURN c.key AS controller, victims
ORDER BY victims DESC, controller
