// Crypto wallets shown in ads on two or more platforms: one payee behind
// ads that look unrelated from any single site.
// @param min_platforms 2   the least number of platforms
MATCH (p:Platform)<-[:POSTED_ON]-(a:Ad)-[:HAS_WALLET]->(w:Wallet)
WITH w, count(DISTINCT p) AS platforms, count(DISTINCT a) AS ads
WHERE platforms >= $min_platforms
RETURN w.key AS wallet, platforms, ads
ORDER BY platforms DESC, ads DESC, wallet
