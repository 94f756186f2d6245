"""Analysis: the linking graph, communities, group scores and evidence, evaluation."""
