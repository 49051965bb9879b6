"""constraints.txt, the pinned versions every `make` install uses, agrees with pyproject.toml.

A range changed in pyproject.toml without `make lock`, or a pin edited by hand, would make
installs fail to resolve, or install a version the fast paths were never tested on.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not a name==version pin"
            pins[canonicalize_name(name)] = version
    return pins


def test_every_dependency_is_pinned_within_its_declared_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    declared += project["optional-dependencies"]["postgres"]
    pins = _pins()
    for text in declared:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in constraints.txt: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, outside pyproject.toml's {text!r}"
        )


def test_the_fast_paths_libraries_have_upper_bounds() -> None:
    """Their internals are used: a new release must be tried before it is allowed."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounded = {"markdown-it-py", "mdit-py-plugins", "pygments"}
    for text in project["dependencies"]:
        requirement = Requirement(text)
        if canonicalize_name(requirement.name) in bounded:
            assert any(spec.operator == "<" for spec in requirement.specifier), text
