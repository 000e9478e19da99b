"""Shared helpers for the mapper tests."""

from pathlib import Path

import pytest
import yaml

from mapper.sweep.spec import load_sweep_spec


@pytest.fixture
def write_spec(tmp_path):
    """Write a sweep spec dict to a YAML file and load it."""

    def write(data: dict, name: str = "spec.yaml"):
        path = Path(tmp_path) / name
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return (path, *load_sweep_spec(path))

    return write
