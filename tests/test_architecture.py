"""The shape of the code: imports point one way, and every event type and route is documented."""
import ast
import inspect
import pkgutil
import re
from pathlib import Path

import domain
from eventsourcing.domain import Aggregate

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(__import__("sys").stdlib_module_names)


def imports_of(folder: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / folder).rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update((str(path.relative_to(ROOT)), a.name.split(".")[0]) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path.relative_to(ROOT)), node.module.split(".")[0]))
    return found


def test_domain_imports_only_the_standard_library_and_eventsourcing():
    outward = {(f, m) for f, m in imports_of("domain")
               if m not in STDLIB and m not in ("eventsourcing", "domain", "__future__") or m == "sqlite3"}
    assert outward == set()


def test_projections_never_import_the_web_layer():
    assert {(f, m) for f, m in imports_of("projections") if m in ("web", "starlette", "jinja2")} == set()


def test_event_bodies_never_read_the_clock_or_make_ids():
    for path in (ROOT / "domain").rglob("*.py"):
        source = path.read_text()
        for match in re.finditer(r"@event\([^)]*\)\s*\n\s*def [^\n]*\n((?:\s{8,}[^\n]*\n)+)", source):
            body = match.group(1)
            assert not re.search(r"datetime\.now|time\.time|uuid4|random\.|date\.today", body), (path, body)


def _own_fields(event_class: type) -> set[str]:
    return set(getattr(event_class, "__annotations__", {})) - {
        "originator_id", "originator_version", "timestamp", "originator_topic"}


def all_event_classes() -> list[str]:
    names = set()
    for module_info in pkgutil.walk_packages(domain.__path__, "domain."):
        module = __import__(module_info.name, fromlist=["*"])
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Aggregate) and cls is not Aggregate and cls.__module__ == module.__name__:
                for attr, value in vars(cls).items():
                    if attr == "Event" or (attr == "Created" and not _own_fields(value)):
                        continue  # the library's per-aggregate base classes, unless used as the creation event
                    if inspect.isclass(value) and issubclass(value, Aggregate.Event):
                        names.add(f"{cls.__name__}.{attr}")
    return sorted(names)


def test_every_event_type_is_documented():
    docs = (ROOT / "docs" / "REFERENCE.md").read_text()
    missing = [name for name in all_event_classes() if f"`{name}`" not in docs]
    assert missing == [], f"add these events to docs/REFERENCE.md: {missing}"


def test_every_route_is_documented():
    from web.routes import all_routes
    docs = (ROOT / "docs" / "REFERENCE.md").read_text()
    missing = [r.path for r in all_routes() if f"`{r.path}`" not in docs]
    assert missing == [], f"add these routes to docs/REFERENCE.md: {missing}"


def test_no_two_use_case_mixins_define_the_same_method_or_helper():
    """Python would silently pick one of them in the combined application (private helpers too)."""
    from domain.usecases.accounts import AccountUseCases
    from domain.usecases.fund import FundUseCases
    from domain.usecases.roundtable import RoundtableUseCases
    from domain.usecases.volunteer import VolunteerUseCases
    owners: dict[str, list[str]] = {}
    for mixin in (AccountUseCases, RoundtableUseCases, VolunteerUseCases, FundUseCases):
        for name, value in vars(mixin).items():
            if callable(value) and not name.startswith("__"):
                owners.setdefault(name, []).append(mixin.__name__)
    assert {n: o for n, o in owners.items() if len(o) > 1} == {}


def test_the_code_has_no_unused_imports_undefined_names_or_likely_bugs():
    """ruff's pyflakes and bugbear rules (configured in pyproject.toml)."""
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise",
                             "domain", "projections", "web", "tests", "bench"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
