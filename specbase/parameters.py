"""Parameters declared in spec files and ``--set NAME=VALUE`` overrides."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from specbase.errors import Problem, SpecError, join_path
from specbase.expressions import ExpressionError, Value, evaluate, referenced_names

Overrides = Mapping[str, Value]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TEMPLATE = re.compile(r"\$\{([^}]*)\}")
SCOPES = ("arch", "workload")


def declared_parameters(doc) -> dict[str, Any]:
    """The ``parameters:`` block of a document (a mapping of NAME: value)."""
    params = doc.data.get("parameters") or {}
    if not isinstance(params, dict):
        raise SpecError.single(doc.file, "parameters", "must be a mapping of NAME: value",
                               line=doc.line_of("parameters"))
    return params


def parse_literal(text: str) -> Value:
    """``"512"`` -> 512, ``"0.5"`` -> 0.5, anything else stays text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def parse_overrides(items: Iterable[str]) -> dict[str, Value]:
    """Parse repeated ``NAME=VALUE`` strings (``--set``)."""
    out: dict[str, Value] = {}
    problems = []
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        bare = name.split(".", 1)[-1] if name.startswith(SCOPES) else name
        if not sep or not _NAME.match(bare):
            problems.append(Problem("--set", item, "expected NAME=VALUE",
                                    allowed="NAME, arch.NAME or workload.NAME, then '=' and a value"))
            continue
        out[name] = parse_literal(value.strip())
    if problems:
        raise SpecError(problems)
    return out


def split_overrides(overrides: Overrides, declared: Mapping[str, Iterable[str]]) -> dict[str, dict]:
    """Route overrides to the scope ('arch' or 'workload') that declares each name.

    A name declared in both scopes must be qualified; an unknown name is an error
    that lists the declared ones.
    """
    declared_sets = {scope: set(names) for scope, names in declared.items()}
    routed: dict[str, dict] = {scope: {} for scope in declared_sets}
    problems = []
    for name, value in overrides.items():
        scope, _, bare = name.partition(".") if "." in name else ("", "", name)
        owners = [s for s, names in declared_sets.items() if bare in names and scope in ("", s)]
        if (scope and scope not in declared_sets) or not owners:
            problems.append(_unknown(name, declared_sets))
        elif len(owners) > 1:
            problems.append(Problem("--set", name, f"{bare!r} is declared in both files; qualify it",
                                    allowed=", ".join(f"{s}.{bare}" for s in owners)))
        else:
            routed[owners[0]][bare] = value
    if problems:
        raise SpecError(problems)
    return routed


def _unknown(name: str, declared: Mapping[str, set[str]]) -> Problem:
    listing = "; ".join(f"{scope}: {', '.join(sorted(names)) or '(none)'}"
                        for scope, names in declared.items())
    return Problem("--set", name, "unknown parameter", allowed=listing)


def resolve_parameters(declared: Mapping[str, Any], overrides: Overrides, file: str,
                       path: str = "parameters") -> dict[str, Value]:
    """Evaluate declared parameters (with overrides applied) in dependency order.

    A text value that refers to other declared parameters is an expression; any
    other text (``ws``, ``64-32-10``) stays text.
    """
    problems = [Problem(file, f"{path}.{name}", "unknown parameter",
                        allowed=", ".join(sorted(declared)) or "(none declared)")
                for name in overrides if name not in declared]
    raw = {**declared, **overrides}
    for name, value in raw.items():
        if not _NAME.match(str(name)):
            problems.append(Problem(file, f"{path}.{name}", "parameter names must be identifiers"))
        elif not isinstance(value, int | float | str) or isinstance(value, bool):
            problems.append(Problem(file, f"{path}.{name}", f"unsupported value {value!r}",
                                    allowed="a number, an expression or text"))
    if problems:
        raise SpecError(problems)
    return _evaluate_in_order(raw, file, path)


def _dependencies(raw: Mapping[str, Value]) -> dict[str, set[str]]:
    deps = {}
    for name, value in raw.items():
        deps[name] = set()
        if isinstance(value, str):
            try:
                deps[name] = referenced_names(value) & set(raw)
            except ExpressionError:
                deps[name] = set()
    return deps


def _evaluate_in_order(raw: Mapping[str, Value], file: str, path: str) -> dict[str, Value]:
    deps = _dependencies(raw)
    resolved: dict[str, Value] = {}
    problems = []
    pending = dict(deps)
    while pending:
        ready = [n for n, d in pending.items() if d <= resolved.keys()]
        if not ready:
            cycle = ", ".join(sorted(pending))
            raise SpecError.single(file, path, f"parameters refer to each other in a cycle: {cycle}")
        for name in ready:
            del pending[name]
            value = raw[name]
            if isinstance(value, str) and deps[name]:
                try:
                    value = evaluate(value, resolved)
                except ExpressionError as exc:
                    problems.append(Problem(file, f"{path}.{name}", str(exc)))
                    value = 0
            resolved[name] = value
    if problems:
        raise SpecError(problems)
    return resolved


def substitute_templates(data: Any, params: Mapping[str, Value], file: str,
                         skip: Iterable[str] = ("parameters",)) -> Any:
    """Replace ``${expr}`` in every string of ``data`` (except top-level ``skip`` keys)."""
    problems: list[Problem] = []
    out = _substitute(data, params, file, (), problems, set(skip))
    if problems:
        raise SpecError(problems)
    return out


def _substitute(data: Any, params: Mapping[str, Value], file: str, loc: tuple,
                problems: list[Problem], skip: set[str]) -> Any:
    if isinstance(data, dict):
        return {k: (v if not loc and k in skip else
                    _substitute(v, params, file, (*loc, k), problems, skip)) for k, v in data.items()}
    if isinstance(data, list):
        return [_substitute(v, params, file, (*loc, i), problems, skip) for i, v in enumerate(data)]
    if isinstance(data, str) and "${" in data:
        try:
            whole = _TEMPLATE.fullmatch(data.strip())
            if whole:
                return evaluate(whole.group(1), params)
            return _TEMPLATE.sub(lambda m: str(evaluate(m.group(1), params)), data)
        except ExpressionError as exc:
            problems.append(Problem(file, join_path(loc), str(exc)))
    return data

