"""The package metadata installs without warnings."""
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_license_is_an_spdx_string_not_a_deprecated_table():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "AGPL-3.0-or-later"
