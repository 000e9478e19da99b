"""Mapper and design-space exploration.

``mapper.search`` finds a mapping of an Einsum cascade on an architecture (map spaces,
strategies, budgets, objectives); ``mapper.sweep`` runs a grid of design points, each
with its own mapping search, into a resumable Parquet store and computes the Pareto front.
"""
