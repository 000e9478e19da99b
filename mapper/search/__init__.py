"""Mapping search: map spaces, strategies (exhaustive, random, genetic), budgets, objectives."""

from mapper.search.budget import Budget
from mapper.search.loop import SearchStats, run_search
from mapper.search.objectives import OBJECTIVES, score
from mapper.search.settings import SearchSettings
from mapper.search.space import Costs, MapSpace
from mapper.search.strategies import STRATEGIES, make_strategy

__all__ = ["OBJECTIVES", "STRATEGIES", "Budget", "Costs", "MapSpace", "SearchSettings", "SearchStats",
           "make_strategy", "run_search", "score"]
