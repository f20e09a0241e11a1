"""English is complete: every visible string in the templates and every domain error message has a translation."""
import ast
from pathlib import Path

from babel.messages.extract import extract_from_dir

from web.i18n import load_catalogs

ROOT = Path(__file__).resolve().parents[2]


def untranslated(messages) -> list[str]:
    english = load_catalogs()["en"]
    return sorted({m for m in messages if m and english.gettext(m) == m})


def test_every_template_and_route_string_has_an_english_translation():
    method_map = [("web/templates/**.html", "jinja2"), ("web/**.py", "python"), ("domain/**.py", "python")]
    found = [message for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, keywords={"_": None})
             if isinstance(message, str)]
    assert len(found) > 300
    assert untranslated(found) == []


def test_every_domain_error_message_has_an_english_translation():
    messages = []
    for path in (ROOT / "domain").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "message" for t in node.targets):
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    messages.append(node.value.value)
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                first = node.exc.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and \
                        any("\u4e00" <= ch <= "\u9fff" for ch in first.value):
                    messages.append(first.value)
    assert len(messages) > 50
    assert untranslated(messages) == []


def test_every_flash_and_refusal_message_in_the_routes_has_an_english_translation():
    messages = []
    for path in (ROOT / "web").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            candidates = []
            if name == "redirect" and len(node.args) >= 3:
                candidates.append(node.args[2])
            if name == "require" and len(node.args) >= 2:
                candidates.append(node.args[1])
            candidates += [k.value for k in node.keywords if k.arg in ("flash", "error")]
            # respond(..., done="…" or done=lambda r: "…" if … else "…"): every literal the flash may be
            candidates += [c for k in node.keywords if k.arg == "done" for c in ast.walk(k.value)]
            messages += [c.value for c in candidates if isinstance(c, ast.Constant) and isinstance(c.value, str)
                         and any("\u4e00" <= ch <= "\u9fff" for ch in c.value)]
    assert len(messages) > 20
    assert untranslated(messages) == []
