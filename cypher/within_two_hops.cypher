// Everything within two hops of one identifier or ad (its ads, and what
// those ads carry). Give the canonical key: +31612345678 for a phone,
// telegram:anna_vip for a handle, btc:1... for a wallet, source/record_id for
// an ad (e.g. crawl-2025Q1/R-0000001: an ad is keyed by its source and record_id).
// Cypher cannot take the number of hops as a parameter: for more, copy this
// file and change *1..2; `graphthb view --around` draws the same with --hops.
// @param key   the canonical key of the starting node
MATCH (s {key: $key})-[*1..2]-(x)
WHERE x.key <> $key
RETURN DISTINCT x.key AS key
ORDER BY key
