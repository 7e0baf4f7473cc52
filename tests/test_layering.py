"""DESIGN.md's layering: imports point down only.

portal.views / portal.health / … (top: pages that gather everything, and the wiring)
posters | keynotes | booths          (features, independent of one another)
chat
schedule
portal.models, portal.timezones, portal.public, portal.middleware, …  (ground)

The layers are import-linter contracts in pyproject.toml ([tool.importlinter]); they see
every import, at the top of a module or inside a function, absolute or relative, and the
chains through other modules. This runs them, and adds what a contract cannot say.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
ROOTS = CONFIG["root_packages"]
LAYERS = [
    [name.strip().strip("()") for name in re.split(r"[|:]", layer)]
    for layer in next(c for c in CONFIG["contracts"] if c["id"] == "layers")["layers"]
]
# Modules that may import by a name computed at run time, and why (none so far: features
# tell the lower layers about themselves through registries, docs/architecture.md).
DYNAMIC_IMPORTS_ALLOWED: dict[str, str] = {}
DYNAMIC_CALLS = {"import_module", "__import__", "import_string", "load_module", "reload"}


def lint_imports():
    """`lint-imports` on the repository: (passed, its report)."""
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    done = subprocess.run(  # noqa: S603  (our own venv's script, fixed arguments)
        [command, "--no-cache", "--no-logo", str(REPO / "pyproject.toml")],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0, done.stdout + done.stderr


def graph():
    return grimp.build_graph(*ROOTS, include_external_packages=True, cache_dir=None)


def layer_of(module):
    """Index of the layer a module belongs to (0 = top), or None."""
    for index, layer in enumerate(LAYERS):
        if any(module == name or module.startswith(f"{name}.") for name in layer):
            return index
    return None


def test_imports_point_down_only():
    passed, report = lint_imports()
    assert passed, report


def test_every_module_is_in_a_layer():
    """A new module of the portal package (or a new app) must be placed in a layer, so
    that the contract covers it."""
    unplaced = sorted(m for m in graph().modules if m.split(".")[0] in ROOTS and m not in ROOTS and layer_of(m) is None)
    assert unplaced == [], "add these to a layer in pyproject.toml [tool.importlinter]"


def test_portal_models_stands_on_django_and_the_standard_library():
    imports = graph().find_modules_directly_imported_by("portal.models")
    others = sorted(m for m in imports if m != "django" and m.split(".")[0] not in sys.stdlib_module_names)
    assert others == []


def _source_files():
    for root in ROOTS:
        yield from sorted((REPO / root).rglob("*.py"))


def dynamic_imports(files):
    """`import_module(...)`, `__import__(...)`, `importlib.…`, `import_string(...)`, and
    `apps.get_model("<app>", …)` of an app above the caller (or named at run time)."""
    found = []
    for path in files:
        name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        if name in DYNAMIC_IMPORTS_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]
                if any(m and m.split(".")[0] == "importlib" for m in modules):
                    found.append(f"{where} imports importlib")
            if not isinstance(node, ast.Call):
                continue
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in DYNAMIC_CALLS:
                found.append(f"{where} calls {called}")
            elif called in {"get_model", "get_app_config"} and node.args:
                label = node.args[0]
                if not (isinstance(label, ast.Constant) and isinstance(label.value, str)):
                    found.append(f"{where} calls {called} with an app named at run time")
                else:
                    app = label.value.split(".")[0]
                    target = layer_of(f"{app}.models") if app in ROOTS else None
                    if target is not None and layer_of(name) is not None and target < layer_of(name):
                        found.append(f"{where} reaches up to {app} through {called}")
    return found


def test_no_module_imports_by_a_name_computed_at_run_time():
    assert dynamic_imports(_source_files()) == []
