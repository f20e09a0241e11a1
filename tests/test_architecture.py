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
    from web import ops
    from web.contexts import routes
    docs = (ROOT / "docs" / "REFERENCE.md").read_text()
    missing = [r.path for r in [*routes(), *ops.routes] if f"`{r.path}`" not in docs]
    assert missing == [], f"add these routes to docs/REFERENCE.md: {missing}"


DOMAIN_CONTEXTS = sorted(p.name for p in (ROOT / "domain").iterdir() if (p / "model.py").exists())


def domain_imports(path: Path) -> set[str]:
    """The `domain.…` modules a file imports (absolute imports only: the code uses no relative ones)."""
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("domain"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("domain"))
    return found


def test_the_domain_has_a_package_per_context_over_the_kernel():
    assert {"accounts", "roundtable", "volunteer", "fund"} <= set(DOMAIN_CONTEXTS)
    for context in DOMAIN_CONTEXTS:
        assert {"model.py", "policies.py", "service.py"} <= {p.name for p in (ROOT / "domain" / context).iterdir()}


def test_a_contexts_model_and_policies_import_only_the_kernel_and_the_model_its_own_policies():
    bad = []
    for context in DOMAIN_CONTEXTS:
        allowed = {"model.py": ("domain.kernel", f"domain.{context}.policies"), "policies.py": ("domain.kernel",)}
        for name, prefixes in allowed.items():
            path = ROOT / "domain" / context / name
            bad += [(str(path.relative_to(ROOT)), m) for m in domain_imports(path)
                    if m != "domain" and not m.startswith(prefixes)]
    assert bad == []


def test_a_context_reaches_another_only_through_its_service_or_policies():
    """Services call `self.app.<other>.…`; importing another context's model, service or inputs is refused."""
    bad = []
    for context in DOMAIN_CONTEXTS:
        for path in (ROOT / "domain" / context).glob("*.py"):
            for module in domain_imports(path):
                parts = module.split(".")
                if len(parts) > 2 and parts[1] in DOMAIN_CONTEXTS and parts[1] != context \
                        and parts[2] != "policies":
                    bad.append((str(path.relative_to(ROOT)), module))
    assert bad == []


WEB_INFRASTRUCTURE = ("web.http", "web.places", "web.exports", "web.localtime", "web.panels", "web.auth", "web.contexts",
                      "web.passwords", "web.sessions", "web.asof")


def module_imports(path: Path) -> set[str]:
    """Every absolute module a file imports (and each imported name's dotted path, for `from x import y`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_a_contexts_web_package_imports_only_its_own_domain_and_projection_and_the_kernel():
    """web/<context> may use its own domain and read model, the kernel and the web's own infrastructure; another
    context reaches its pages only through the registry's hooks."""
    web_contexts = sorted(p.name for p in (ROOT / "web").iterdir() if (p / "routes.py").exists())
    assert set(DOMAIN_CONTEXTS) <= set(web_contexts)
    bad = []
    for context in web_contexts:
        for path in (ROOT / "web" / context).glob("*.py"):
            for module in module_imports(path):
                top = module.split(".")
                if top[0] == "domain" and len(top) > 1 and top[1] not in ("kernel", context):
                    bad.append((str(path.relative_to(ROOT)), module))
                elif top[0] == "projections" and len(top) > 1 and top[1] not in (context, "db", "base", "audit", "chain") \
                        and not (top[1] == "accounts" and top[2:3] == ["Place"]):
                    bad.append((str(path.relative_to(ROOT)), module))
                elif top[0] == "web" and len(top) > 1 and top[1] not in (context,) and \
                        not any(module == m or module.startswith(m + ".") for m in WEB_INFRASTRUCTURE):
                    bad.append((str(path.relative_to(ROOT)), module))
    assert bad == []


def test_templates_build_no_paths_by_hand():
    """Every link and form target comes from `url()` over the named routes, so a route can move."""
    hand_built = []
    for path in (ROOT / "web" / "templates").rglob("*.html"):
        for match in re.finditer(r'(href|action|hx-(?:get|post)|src)="(/[^"]*)"', path.read_text()):
            hand_built.append((str(path.relative_to(ROOT)), match.group(2)))
    assert hand_built == []


def test_the_kernel_knows_no_context():
    bad = [(str(path.relative_to(ROOT)), m) for path in (ROOT / "domain" / "kernel").glob("*.py")
           for m in domain_imports(path) if m != "domain" and not m.startswith("domain.kernel")]
    assert bad == []


def test_the_code_has_no_unused_imports_undefined_names_or_likely_bugs():
    """ruff's pyflakes and bugbear rules (configured in pyproject.toml)."""
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise",
                             "domain", "projections", "web", "tests", "bench"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
