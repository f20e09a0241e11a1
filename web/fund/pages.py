"""What the fund adds to other pages: this year's fund on the community overview and on the street's table."""
from __future__ import annotations

from starlette.requests import Request

from domain.kernel.money import format_fen
from projections import fund as views
from projections.accounts import Place
from web.http import services
from web.localtime import local_today
from web.panels import Column, Panel


def overview_card(request: Request, community: Place) -> Panel:
    """This year's fund: paid and still available."""
    year = local_today(request).year
    ledger = views.ledger(services(request).views, community.id, year)
    return Panel("fund/_overview_card.html", {"community": community, "year": year,
                                               "totals": ledger["totals"] if ledger else None})


def street_columns(request: Request, street: Place, communities: list[Place]) -> list[Column]:
    """Each community's fund this year: paid and still available."""
    db, year = services(request).views, local_today(request).year
    cells = {}
    for c in communities:
        ledger = views.ledger(db, c.id, year)
        if ledger:
            cells[c.id] = f"¥{format_fen(ledger['totals']['paid'])} / ¥{format_fen(ledger['totals']['available'])}"
    return [Column("{year} 年已支付 / 尚可使用", cells, "本年度专项资金尚未开立", {"year": year})]
