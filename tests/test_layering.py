"""DESIGN.md's layering: imports point down only.

portal.views / portal.search / portal.export  (top)
posters   keynotes   booths                   (features)
chat
schedule
portal.models, portal.timezones, portal.public, portal.middleware  (ground)
"""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FEATURES = {"posters", "keynotes", "booths"}
# What each package may not import.
FORBIDDEN = {
    "schedule": FEATURES | {"chat"},
    "chat": FEATURES,
    "posters": {"keynotes", "booths"},
    "keynotes": {"posters", "booths"},
}
# The ground modules of portal may not reach up into any app.
GROUND = ["portal/models.py", "portal/timezones.py", "portal/public.py", "portal/middleware.py"]


def imported_packages(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


def violations():
    found = []
    for package, forbidden in FORBIDDEN.items():
        for path in sorted((REPO / package).rglob("*.py")):
            found += [
                f"{path.relative_to(REPO)}:{line} imports {name}"
                for name, line in imported_packages(path)
                if name in forbidden
            ]
    for name in GROUND:
        path = REPO / name
        found += [
            f"{name}:{line} imports {pkg}"
            for pkg, line in imported_packages(path)
            if pkg in FEATURES | {"chat", "schedule"}
        ]
    return found


def test_imports_point_down_only():
    assert violations() == []
