"""The Cypher library: shipped inside graphthb as the package graphthb.cypher."""
