"""Shared spec machinery for arch and workload files.

Parsing follows one path: YAML text -> :class:`Document` (data plus line numbers) ->
parameter resolution -> pydantic validation (the validator) -> frozen domain objects
(built by each package's factory). Every failure becomes a :class:`SpecError` that
lists all problems found, each with file, field path, line and the allowed values.
"""

from specbase.document import Document, load_document, parse_document
from specbase.errors import Problem, SpecError
from specbase.expressions import evaluate, referenced_names
from specbase.parameters import Overrides, parse_overrides, resolve_parameters, split_overrides
from specbase.validation import validate_model

__all__ = [
    "Document",
    "Overrides",
    "Problem",
    "SpecError",
    "evaluate",
    "load_document",
    "parse_document",
    "parse_overrides",
    "referenced_names",
    "resolve_parameters",
    "split_overrides",
    "validate_model",
]
