// Phones, e-mails, handles, wallets and pictures carried by ads of two
// different groups: the links that could join two groups into one network,
// or a generic identifier worth putting on the ignore list.
// @param limit 50   how many rows
MATCH (g1:Group)<-[:MEMBER_OF]-(a1:Ad)-[:HAS_PHONE|HAS_EMAIL|HAS_HANDLE|HAS_WALLET|HAS_IMAGE]->(x)
      <-[:HAS_PHONE|HAS_EMAIL|HAS_HANDLE|HAS_WALLET|HAS_IMAGE]-(a2:Ad)-[:MEMBER_OF]->(g2:Group)
WHERE g1.key < g2.key
RETURN x.key AS identifier, g1.key AS group_a, g2.key AS group_b,
       count(DISTINCT a1) AS ads_a, count(DISTINCT a2) AS ads_b
ORDER BY ads_a + ads_b DESC, identifier, group_a, group_b
LIMIT $limit
