"""The community's list of service kinds, and the needs board that links to volunteer shifts."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from domain.party.model import Need, NeedStateError, ServiceKindError
from domain.party.policies import DEFAULT_SERVICE_KINDS
from tests.builders import make_worker
from tests.domain.party.builders import START, consent, shift_day, submit


def test_the_defaults_until_a_worker_changes_the_list(linli, places, worker, resident):
    assert linli.party.service_kinds(places.community) == list(DEFAULT_SERVICE_KINDS)
    linli.party.add_service_kind(worker, places.community, "垃圾分类")
    linli.party.remove_service_kind(worker, places.community, "治安巡逻")
    kinds = linli.party.service_kinds(places.community)
    assert kinds[-1] == "垃圾分类" and "治安巡逻" not in kinds
    assert linli.party.service_kinds(places.other_community) == list(DEFAULT_SERVICE_KINDS)
    stint = consent(linli, resident, places.community)
    with pytest.raises(ServiceKindError):
        submit(linli, resident, places.community, stint, kinds=["治安巡逻"])
    submit(linli, resident, places.community, stint, kinds=["垃圾分类"])


@pytest.mark.parametrize("kind", ["", "邻里互助", "<b>", "x" * 21, "巡逻\u200b"])
def test_bad_or_duplicate_kinds_are_refused(linli, places, worker, kind):
    with pytest.raises(InvalidInputError):
        linli.party.add_service_kind(worker, places.community, kind)


def test_only_the_communitys_workers_change_the_list_and_one_kind_stays(linli, places, worker, resident):
    for outsider in (resident, make_worker(linli, places.other_community)):
        with pytest.raises(NotAllowedError):
            linli.party.add_service_kind(outsider, places.community, "垃圾分类")
    for kind in DEFAULT_SERVICE_KINDS[:-1]:
        linli.party.remove_service_kind(worker, places.community, kind)
    with pytest.raises(ServiceKindError):
        linli.party.remove_service_kind(worker, places.community, DEFAULT_SERVICE_KINDS[-1])


def test_a_need_links_to_a_shift_of_the_communitys_own_day(linli, places, clock, worker):
    day, shift = shift_day(linli, worker, places.community)
    need = linli.party.post_need(worker, places.community, day, shift, "环境整治", "欢迎党员带头")
    assert need == Need.id_for(shift)
    with pytest.raises(NeedStateError):
        linli.party.post_need(worker, places.community, day, shift, "环境整治", "")
    linli.party.remove_need(worker, places.community, need)
    with pytest.raises(NeedStateError):
        linli.party.remove_need(worker, places.community, need)
    linli.party.post_need(worker, places.community, day, shift, "邻里互助", "再次发布")
    assert linli.repository.get(need).kind == "邻里互助"


def test_another_communitys_shift_or_a_shift_over_cannot_be_posted(linli, places, clock, worker):
    other_worker = make_worker(linli, places.other_community)
    day, shift = shift_day(linli, other_worker, places.other_community)
    with pytest.raises(NotFoundError):
        linli.party.post_need(worker, places.community, day, shift, "环境整治", "")
    with pytest.raises(NotAllowedError):
        linli.party.post_need(other_worker, places.community, day, shift, "环境整治", "")
    own_day, own_shift = shift_day(linli, worker, places.community)
    clock.now = START + timedelta(hours=3)
    with pytest.raises(ConflictError):
        linli.party.post_need(worker, places.community, own_day, own_shift, "环境整治", "")
    with pytest.raises(NotFoundError):
        linli.party.remove_need(worker, places.community, Need.id_for(own_shift))
