"""The shape every domain shares (STYLE.md, "One shape for every domain" and "Floors"), read from
the source: imports point down the floors, `core/` knows no domain, routes use the route kit, no
template calls a domain's function, nothing registers itself by being imported."""
import ast
import functools
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "civiclab"

# STYLE.md "Floors": a domain imports only from floors below its own (or its own floor, without
# cycles). `pages` assembles pages that show several domains, above them all.
FLOORS = {
    "core": 0, "extensions": 0,
    "accounts": 1,
    "places": 2,
    "programmes": 3,
    "events": 4, "proposals": 4,
    "comments": 5, "follows": 5, "notifications": 5, "moderation": 5, "rooms": 5, "search": 5,
    "outcomes": 6, "opendata": 6,
    "pages": 9,
    "jobs": 1,  # the failed-jobs page: knows only core
}
DOMAINS = sorted(name for name in FLOORS if name not in ("core", "extensions"))


def _modules(domain):
    folder = PACKAGE / domain
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{domain}.py"]


@functools.cache  # each test reads every module: parse each once per run
def _imports(path):
    """(line, module) of every civiclab import in `path`, also those inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("civiclab."):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("civiclab."):
                    found.append((node.lineno, alias.name))
    return tuple(found)


def _edges():
    edges = {}
    for domain in FLOORS:
        for path in _modules(domain):
            for line, module in _imports(path):
                target = module.split(".")[1]
                if target != domain and target in FLOORS:
                    edges.setdefault((domain, target), []).append(f"{path.relative_to(ROOT)}:{line}")
    return edges


@pytest.mark.parametrize("domain", ["core", *DOMAINS])
def test_imports_point_down_the_floors(domain):
    upward = [f"{where} imports {target}" for (source, target), places in _edges().items()
              if source == domain and FLOORS[target] > FLOORS[domain] for where in places]
    assert upward == []


def test_no_import_cycle_between_domains():
    graph = {}
    for source, target in _edges():
        graph.setdefault(source, set()).add(target)

    def reaches(start, goal, seen=()):
        return any(step == goal or (step not in seen and reaches(step, goal, (*seen, step)))
                   for step in graph.get(start, ()))

    cycles = sorted({" -> ".join(sorted((a, b))) for a in graph for b in graph[a] if reaches(b, a)})
    assert cycles == []


def _route_modules(domain):
    return [path for path in _modules(domain) if path.name.endswith("routes.py")]


@pytest.mark.parametrize("domain", DOMAINS)
def test_routes_leave_domain_errors_to_the_kit(domain):
    """A service's refusal reaches the page through core.kit.attempt, never a hand-written except."""
    found = [f"{path.relative_to(ROOT)}:{number}" for path in _route_modules(domain)
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if re.search(r"except\s*\(?[\w., ]*(DomainError|NotAllowed)", line)]
    assert found == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_route_module_is_imported_as_a_library(domain):
    """Only the domain's own connect() imports its route modules."""
    found = []
    for path in (p for d in FLOORS for p in _modules(d)):
        for line, module in _imports(path):
            parts = module.split(".")
            if len(parts) > 2 and parts[1] == domain and parts[2].endswith("routes") \
                    and path != PACKAGE / domain / "__init__.py":
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert found == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_domain_adds_template_globals(domain):
    """A page's data comes from its route; the header's from core.header's registries."""
    found = [f"{path.relative_to(ROOT)}:{number}" for path in _modules(domain)
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if re.search(r"app_template_global|add_app_template_global|app_context_processor"
                          r"|bp\.context_processor|jinja_env\.globals", line)]
    assert found == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_nothing_registers_itself_on_import(domain):
    """Registries are filled from connect(), not by decorators that run when a module is imported."""
    found = [f"{path.relative_to(ROOT)}:{number}" for path in _modules(domain)
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if re.match(r"\s*@\w*(export_section|register|connect)\w*\(", line)]
    assert found == []
