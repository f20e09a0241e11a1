"""On PostgreSQL the personal keys may live under a role of their own: the events' role cannot read them, so whoever
holds a dump of the event store (or its role's password) still cannot open anyone's sealed data."""
from __future__ import annotations

import psycopg
import pytest

from tests.builders import PASSWORD_HASH, Places, drop_schemas, new_phone, new_schema, postgres_env
from web.settings import Settings
from web.wiring import build

pytestmark = pytest.mark.postgres
KEYS_ROLE = {"POSTGRES_KEYS_USER": "linli_keys", "POSTGRES_KEYS_PASSWORD": "linli_keys"}


def connect(user: str, password: str) -> psycopg.Connection:
    env = postgres_env()
    return psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], dbname=env["POSTGRES_DBNAME"],
                           user=user, password=password, autocommit=True)


def test_the_events_role_cannot_read_the_key_stores_own_role_s_keys(tmp_path):
    schema = new_schema()
    svc = build(Settings.from_env({**postgres_env(), **KEYS_ROLE, "POSTGRES_SCHEMA": schema,
                                   "LINLI_DATA_DIR": str(tmp_path)}))
    try:
        places = Places(svc.app)
        person = svc.app.accounts.sign_up(new_phone(), "钥匙分离", PASSWORD_HASH, places.community)
        assert svc.app.accounts.person_name(person) == "钥匙分离"
        env = postgres_env()
        with connect(env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) as events_role:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                events_role.execute(f"SELECT key FROM {schema}_keys.person_keys").fetchall()
    finally:
        svc.close()
        with connect("linli_keys", "linli_keys") as keys_role:
            keys_role.execute(f"DROP SCHEMA IF EXISTS {schema}_keys CASCADE")
        drop_schemas(schema)
