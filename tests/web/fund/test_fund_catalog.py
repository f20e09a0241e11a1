"""The fund speaks English too: every visible string of its templates, every message and name its code shows
(errors, flash messages, status and line names) has an English translation in the merged catalog."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po

from web.i18n import load_catalogs

ROOT = Path(__file__).resolve().parents[3]
CJK = re.compile(r"[\u4e00-\u9fff]")
# CSV headers stay Chinese (the export is a Chinese public-finance document); docstrings are not shown.
NOT_SHOWN = {"截至", "已退款", "录入人", "审核人", "事件", "预算变化", "分配变化", "预留变化", "待审核变化", "支付变化",
             "专项资金台账-", "社区", "年度", "序号", "日志位置", "时间", "项目", "金额", "经办人", "理由", "类别", "依据决议",
             "已分配", "已预留", "待审核", "已支付", "项目可用", "支付日期", "收款方", "收款方类型", "状态", "用途", "票据编号"}


def template_msgids() -> set[str]:
    found = set()
    for path in (ROOT / "web" / "templates" / "fund").glob("*.html"):
        found |= set(re.findall(r'_\(\s*"([^"]+)"', path.read_text()))
        found |= set(re.findall(r"_\(\s*'([^']+)'", path.read_text()))
    return {m for m in found if CJK.search(m)}


def fund_code() -> list[Path]:
    """The fund context's code in the domain and web layers."""
    paths = [*(ROOT / "domain" / "fund").glob("*.py"), *(ROOT / "web" / "fund").glob("*.py")]
    assert len(paths) >= 8
    return paths


def code_strings() -> set[str]:
    found = set()
    for path in fund_code():
        tree = ast.parse(path.read_text())
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                    and CJK.search(node.value) and node.value not in NOT_SHOWN:
                found.add(node.value)
    return found


def test_every_visible_fund_string_and_error_message_has_an_english_translation():
    english = load_catalogs()["en"]
    missing = sorted(m for m in template_msgids() | code_strings() if english.gettext(m) == m)
    assert missing == []


def test_the_english_fund_catalog_keeps_every_placeholder_of_its_chinese_message():
    with (ROOT / "web" / "locale" / "en" / "LC_MESSAGES" / "fund.po").open("rb") as f:
        catalog = read_po(f)
    broken = [m.id for m in catalog if m.id and m.string and
              set(re.findall(r"\{(\w+)\}", m.id)) != set(re.findall(r"\{(\w+)\}", m.string))]
    assert broken == []
