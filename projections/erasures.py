"""Erasure follows the events: whenever the log says a person (or an individual payee) was erased, their key is
deleted from the key store — also when a store is restored from a key backup older than the erasure, or when a
process died between recording the erasure and deleting the key. Idempotent; it keeps no rows."""
from __future__ import annotations

from domain.accounts.model import Account
from domain.fund.model import Fund
from projections.base import Context, Projection
from projections.db import Tx

projection = Projection(name="erasures", tables={})


@projection.on(Account.Erased)
def _person_erased(tx: Tx, e, ctx: Context) -> None:
    ctx.sealer.keys.delete(e.originator_id)


@projection.on(Fund.PayeeErased)
def _payee_erased(tx: Tx, e, ctx: Context) -> None:
    ctx.sealer.keys.delete(e.payment_id)
