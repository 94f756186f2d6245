// What is in the graph: how many nodes of each kind.
// Parameters: none.
// Constraints and tables themselves: on Neo4j run SHOW CONSTRAINTS; on the
// embedded store run CALL show_tables() RETURN *. graphthb/schema.toml defines both.
MATCH (n:Ad) RETURN 'Ad' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Platform) RETURN 'Platform' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Phone) RETURN 'Phone' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Email) RETURN 'Email' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Handle) RETURN 'Handle' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Url) RETURN 'Url' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Domain) RETURN 'Domain' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Wallet) RETURN 'Wallet' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Image) RETURN 'Image' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Person) RETURN 'Person' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Agency) RETURN 'Agency' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Location) RETURN 'Location' AS kind, count(n) AS nodes
UNION ALL MATCH (n:Group) RETURN 'Group' AS kind, count(n) AS nodes
