"""`linli erase` of a registered Party member: nothing of the membership is readable in the events, the views or
the pages, the registry no longer lists them, and the community's counts for the year stay."""
from __future__ import annotations

from domain.accounts.model import Community
from domain.party import privacy
from domain.party.model import Registration
from domain.party.policies import CONSENT_VERSION
from projections import party as views
from tests.web.party.builders import PartySite
from web.cli import main
from web.settings import Settings
from web.wiring import build

UNIT = "南京某某科技有限公司"


def test_linli_erase_leaves_no_readable_membership_and_keeps_the_counts(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LINLI_DATA_DIR", str(tmp_path / "data"))
    main(["demo"])
    settings = Settings.from_env({"LINLI_DATA_DIR": str(tmp_path / "data")})
    svc = build(settings)
    community = Community.id_for("320106001001")
    try:
        app = svc.app
        resident = app.accounts.login_record("13800000001").account_id
        worker = app.accounts.login_record("13800000002").account_id
        stint = app.party.give_consent(resident, community, CONSENT_VERSION, True)
        app.party.submit_registration(resident, community, stint, UNIT, "某某科技党委", "陈书记", "025-83123456",
                                      ["邻里互助"], "", "周末", ["name"])
        app.party.confirm_registration(worker, community, Registration.id_for(resident), stint)
        year = str(app.clock().year)
        svc.runner.catch_up()
        before = views.counts(svc.views, str(community), year)
        assert before["registered"] == 1 and views.count_registry(svc.views, str(community)) == 1
    finally:
        svc.close()
    assert main(["erase", "13800000001", "--yes"]) == 0
    for path in (tmp_path / "data").iterdir():                 # events, views, keys, their WAL files
        if path.is_file():
            assert UNIT.encode() not in path.read_bytes(), path.name
    svc = build(settings)
    try:
        svc.runner.catch_up()
        assert views.count_registry(svc.views, str(community)) == 0
        after = views.counts(svc.views, str(community), year)
        assert after == {**before, "registered": 0}
        assert UNIT not in repr([svc.views.all(f"SELECT * FROM {t}") for t in views.projection.tables])
        registration = svc.app.party.registration(resident)
        submitted = registration.stints[0]["details"]
        assert privacy.unseal(svc.app.sealer, resident, Registration.stint_key(registration.id, 1), submitted) is None
        svc.runner.rebuild()
        assert views.counts(svc.views, str(community), year) == after
        assert UNIT not in repr([svc.views.all(f"SELECT * FROM {t}") for t in views.projection.tables])
    finally:
        svc.close()


def test_withdrawal_through_the_page_leaves_no_copy_of_the_details_in_the_files(web):
    site = PartySite(web)
    m = site.members[0]
    site.register(m)
    data = web.services.settings.data_dir
    assert any(UNIT.encode() in p.read_bytes() for p in data.iterdir() if p.name.startswith("views"))
    assert site.post(m, site.base + "/withdraw", {"stint": "1", "confirm": "yes"}).status_code == 303
    for path in data.iterdir():
        if path.is_file():
            assert UNIT.encode() not in path.read_bytes(), path.name
