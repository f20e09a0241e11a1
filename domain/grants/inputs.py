"""What organisations and officials type, read as domain values: the unified social credit code (GB 32100-2015),
organisation types, criteria and weights, tranches, budget lines, milestones, the team, scores.

Amounts are read by `domain.kernel.money.parse_fen`, times by `domain.kernel.time`, text by `domain.kernel.text`."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from domain.grants.policies import MILESTONES, SCORE_MAX, SCORE_MIN
from domain.kernel.errors import InvalidInputError
from domain.kernel.money import parse_fen
from domain.kernel.text import clean_name, clean_text
from domain.kernel.time import parse_date


class CreditCodeError(InvalidInputError):
    """A unified social credit code that is not 18 valid characters with the right check character."""

    message = "统一社会信用代码{reason}"


# --- the unified social credit code (统一社会信用代码), GB 32100-2015 -----------------------------------------
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"          # 31 characters: no I, O, S, V, Z
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))     # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, …
# The registering authority (登记管理部门码) and the kinds of body it registers (机构类别码), GB 32100-2015 table 1.
REGISTRARS = {
    "1": "1239",      # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",        # 外交
    "3": "123459",    # 司法行政
    "4": "19",        # 文化
    "5": "1239",      # 民政: 社会团体, 民办非企业单位（社会服务机构）, 基金会, 其他
    "6": "129",       # 旅游
    "7": "129",       # 宗教
    "8": "19",        # 工会
    "9": "123",       # 工商: 企业, 个体工商户, 农民专业合作社
    "A": "19",        # 中央军委改革和编制办公室
    "N": "1239",      # 农业
    "Y": "1",         # 其他
}
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)                # GB 11714: the 9-character body (主体标识码)


def _org_code_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def credit_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code for its first 17 (GB 32100-2015, 5.3)."""
    total = sum(CREDIT_CHARSET.index(ch) * w for ch, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    """The 9th character of an organisation code (GB 11714), the body of a credit code."""
    check = 11 - sum(_org_code_value(ch) * w for ch, w in zip(first8, _ORG_CODE_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_credit_code(value: str | None) -> str:
    """An 18-character unified social credit code (full-width, lower case and spaces forgiven), checked against
    GB 32100-2015: the character set, the registering authority and kind of body, the 6-digit division code, the
    organisation code's own check character (GB 11714) and the final check character."""
    text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or "")).upper()
    if not text:
        raise CreditCodeError("请填写统一社会信用代码")
    if len(text) != 18:
        raise CreditCodeError(reason="应为 18 位")
    if any(ch not in CREDIT_CHARSET for ch in text):
        raise CreditCodeError(reason="只能由数字和大写字母组成（不含 I、O、S、V、Z）")
    if text[1] not in REGISTRARS.get(text[0], ""):
        raise CreditCodeError(reason="前两位（登记管理部门和机构类别）不正确")
    if not text[2:8].isdigit():
        raise CreditCodeError(reason="第 3 至 8 位应为行政区划代码（6 位数字）")
    if org_code_check_character(text[8:16]) != text[16]:
        raise CreditCodeError(reason="第 9 至 17 位（组织机构代码）校验不正确，请核对")
    if credit_check_character(text[:17]) != text[17]:
        raise CreditCodeError(reason="校验位不正确，请核对")
    return text


# --- organisation types ---------------------------------------------------------------------------------
ORGANISATION_KINDS = {
    "association": "社会团体",
    "service": "社会服务机构（民办非企业单位）",
    "foundation": "基金会",
    "community": "社区社会组织",
    "other": "其他",
}
_CIVIL_AFFAIRS_KIND = {"1": "association", "2": "service", "3": "foundation"}   # 5x codes: what 民政 registered


def check_kind(kind: str | None, credit_code: str) -> str:
    """An organisation type; for a body registered with civil affairs (code 51/52/53) it must match the code."""
    if kind not in ORGANISATION_KINDS:
        raise InvalidInputError("请选择组织类型")
    registered = _CIVIL_AFFAIRS_KIND.get(credit_code[1]) if credit_code[0] == "5" else None
    if registered is not None and kind not in (registered, "community"):
        raise InvalidInputError("统一社会信用代码显示该组织为「{kind}」，与所选类型不符",
                                kind=ORGANISATION_KINDS[registered])
    return kind


# --- numbers typed in forms ---------------------------------------------------------------------------------
def parse_whole(text: str | int | None, field: str, low: int, high: int) -> int:
    """A whole number between `low` and `high`, in ASCII or full-width digits only (no 1e2, ٣, 1_0, +5)."""
    if isinstance(text, bool):
        raise InvalidInputError("{field}应为 {low} 到 {high} 之间的整数", field=field, low=low, high=high)
    if isinstance(text, int):
        raw = str(text)
    else:
        raw = str(text or "").strip()
        if any(not ("0" <= ch <= "9" or "０" <= ch <= "９") for ch in raw):
            raise InvalidInputError("{field}应为 {low} 到 {high} 之间的整数", field=field, low=low, high=high)
        raw = unicodedata.normalize("NFKC", raw)
    if not re.fullmatch(r"\d{1,6}", raw) or not low <= int(raw) <= high:
        raise InvalidInputError("{field}应为 {low} 到 {high} 之间的整数", field=field, low=low, high=high)
    return int(raw)


# --- criteria and tranches of a call ---------------------------------------------------------------------
MAX_CRITERIA = 8


def parse_criteria(names: Sequence[str], weights: Sequence[str | int]) -> list[dict]:
    """Review criteria (名称, 权重 %): 1–8 named rows whose whole-number weights add up to 100."""
    rows = []
    for i, (name, weight) in enumerate(zip(names, weights, strict=False)):
        if not (name or "").strip() and not str(weight or "").strip():
            continue
        rows.append({"key": f"c{i + 1}", "name": clean_text(name, "评审标准", max_length=40),
                     "weight": parse_whole(weight, "权重", 1, 100)})
    if not rows or len(rows) > MAX_CRITERIA:
        raise InvalidInputError("请填写 1 到 {n} 项评审标准", n=MAX_CRITERIA)
    if len({r["name"] for r in rows}) != len(rows):
        raise InvalidInputError("评审标准不能重名")
    if sum(r["weight"] for r in rows) != 100:
        raise InvalidInputError("各项评审标准的权重之和应为 100")
    return rows


def parse_tranches(requirements: Sequence[str], percents: Sequence[str | int]) -> list[dict]:
    """Tranches (拨付批次): each requires one milestone (signing, mid-term, final), in that order, once each, with a
    whole-number percentage; together 100%."""
    rows = []
    for requirement, percent in zip(requirements, percents, strict=False):
        if not (requirement or "").strip() and not str(percent or "").strip():
            continue
        if requirement not in MILESTONES:
            raise InvalidInputError("请为每一批拨付选择条件")
        rows.append({"requirement": requirement, "percent": parse_whole(percent, "拨付比例", 1, 100)})
    order = [MILESTONES.index(r["requirement"]) for r in rows]
    if not rows:
        raise InvalidInputError("请至少设置一批拨付")
    if order != sorted(set(order)):
        raise InvalidInputError("每个拨付条件只能用一次，并按签约、中期评估、结项报告的顺序排列")
    if sum(r["percent"] for r in rows) != 100:
        raise InvalidInputError("各批拨付比例之和应为 100%")
    return rows


def split_amount(amount: int, tranches: Sequence[dict]) -> list[int]:
    """An award split into its tranches' amounts in fen: each its percentage rounded down, the last one taking what
    is left, so the tranches add up to the award exactly."""
    parts = [amount * int(t["percent"]) // 100 for t in tranches]
    parts[-1] = amount - sum(parts[:-1])
    return parts


# --- an application's budget, milestones and team --------------------------------------------------------------
MAX_ROWS = 20


def parse_budget(items: Sequence[str], amounts: Sequence[str]) -> list[dict]:
    """Budget lines (支出项目, 金额): each filled row needs both; amounts as the fund reads them."""
    rows = []
    for item, amount in zip(items, amounts, strict=False):
        if not (item or "").strip() and not (amount or "").strip():
            continue
        rows.append({"item": clean_text(item, "预算项目", max_length=60),
                     "amount": parse_fen((amount or "")[:40])})
    if len(rows) > MAX_ROWS:
        raise InvalidInputError("预算最多 {n} 行", n=MAX_ROWS)
    return rows


def parse_plan(titles: Sequence[str], dues: Sequence[str]) -> list[dict]:
    """The project's own milestones (进度安排): what is done by which day."""
    rows = []
    for title, due in zip(titles, dues, strict=False):
        if not (title or "").strip() and not (due or "").strip():
            continue
        day: date = parse_date(due, "完成日期")
        rows.append({"title": clean_text(title, "进度节点", max_length=80), "due": day.isoformat()})
    if len(rows) > MAX_ROWS:
        raise InvalidInputError("进度节点最多 {n} 个", n=MAX_ROWS)
    return sorted(rows, key=lambda r: r["due"])


def parse_team(names: Sequence[str], roles: Sequence[str]) -> list[dict]:
    """The project team (name and role): personal data, sealed by the service."""
    rows = []
    for name, role in zip(names, roles, strict=False):
        if not (name or "").strip() and not (role or "").strip():
            continue
        rows.append({"name": clean_name(name), "role": clean_text(role, "分工", max_length=40)})
    if len(rows) > MAX_ROWS:
        raise InvalidInputError("团队成员最多 {n} 人", n=MAX_ROWS)
    return rows


def parse_scores(criteria: Sequence[dict], form_scores: dict[str, str], form_comments: dict[str, str]) -> tuple[
        dict[str, int], dict[str, str]]:
    """A reviewer's score (0–100) and comment for every criterion of the call."""
    scores, comments = {}, {}
    for c in criteria:
        scores[c["key"]] = parse_whole(form_scores.get(c["key"]), c["name"], SCORE_MIN, SCORE_MAX)
        comments[c["key"]] = clean_text(form_comments.get(c["key"]), "评语", max_length=500, multiline=True)
    return scores, comments

