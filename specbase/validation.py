"""Run a pydantic schema over a document and turn its errors into problems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from specbase.document import Document
from specbase.errors import Problem, SpecError, join_path

M = TypeVar("M", bound=BaseModel)


def validate_model(model: type[M], doc: Document, data: Any, params: Mapping[str, Any],
                   prefix: tuple = ()) -> M:
    """Validate ``data`` (from ``doc``) against ``model``; all errors are reported at once."""
    try:
        return model.model_validate(data, context={"params": dict(params)})
    except ValidationError as exc:
        raise SpecError([problem_from_error(doc, err, prefix) for err in exc.errors()]) from None


def problem_from_error(doc: Document, err: Mapping[str, Any], prefix: tuple = ()) -> Problem:
    loc = tuple(part for part in (*prefix, *err["loc"]) if not _is_union_tag(part))
    path = join_path(loc)
    message, allowed = _message(err)
    return Problem(doc.file, path, message, doc.line_of(path), allowed)


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _message(err: Mapping[str, Any]) -> tuple[str, str | None]:
    kind = err["type"]
    given = err.get("input")
    shown = "" if isinstance(given, dict | list) or given is None else f" (got {given!r})"
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "required field is missing", None
    if kind == "extra_forbidden":
        return "unknown field", None
    if kind in ("literal_error", "enum"):
        return f"invalid value{shown}", str(ctx.get("expected", ""))
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{msg}{shown}", None
