"""Find spec files by path or by preset name."""

from __future__ import annotations

from pathlib import Path


def resolve_spec_path(source: str | Path, presets_dir: Path, what: str) -> Path:
    """A path as given if it exists, else ``presets_dir/<source>.yaml``."""
    from specbase.errors import SpecError

    path = Path(source)
    if path.exists():
        return path
    candidate = presets_dir / f"{source}.yaml"
    if candidate.exists():
        return candidate
    if path.is_absolute() or path.parent != Path("."):
        packaged = presets_dir / path.name
        if packaged.exists() and path.parent.name == "presets":
            return packaged
    names = ", ".join(list_presets(presets_dir))
    raise SpecError.single(str(source), "", f"no such {what} file or preset", allowed=names)


def list_presets(presets_dir: Path) -> list[str]:
    return sorted(p.stem for p in presets_dir.glob("*.yaml"))
