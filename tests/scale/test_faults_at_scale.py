"""Faults at scale (issue 17), on PostgreSQL: two `linli serve --workers 2` processes (LINLI_PROJECTIONS=external) and
one `linli project` take the commands of 20 concurrent clients — shift sign-ups, votes, fund payments (maker) and
approvals (checker), resident sign-ups — arranged through the use cases, then sent over HTTP.

1. 2,000 commands: every acknowledged command is in the events (read from the aggregates), the views equal a
   rebuild from zero, nothing answers 5xx.
2. The same with the projection process killed (kill -9) five times during the load, then once more halfway through a
   backlog: it resumes from its tracking position, nothing is applied twice.
3. PostgreSQL restarted twice during the load, on a cluster of this test's own (the shared 15/main is never
   restarted: other tests use it at the same time): requests in flight get 503 with Retry-After (or, a write the event
   store's driver could send again once the database was back, their answer), never a 500; those sent once the
   database is back succeed; a client repeating a 503 with the same command id gets the command's one effect; nothing
   acknowledged is lost; the projection process lives on; the views equal a rebuild.

The three share one module so that they run one after the other (pytest-xdist --dist loadfile): each loads both
cores of a small machine on its own."""
from __future__ import annotations

import fcntl
import os
import random
import shutil
import subprocess
import threading
import time
from collections import Counter

import psycopg
import pytest

from tests.builders import drop_schemas, new_schema, postgres_env
from tests.scale.builders import (FAULTS_LOCK, Deployment, Load, arrange, backlog, faults_cluster,
                                  missing_acknowledged, outcomes, rebuilt_differences, server_errors, tracking,
                                  wait_until_caught_up)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

COMMANDS, CLIENTS = 2000, 20
# Each process's event-store pool keeps 2 connections and grows to 10 under load: six processes stay well inside the
# shared cluster's 100 connections while the rest of the suite uses it too.
POOLS = {"POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "8"}
GRACE = 5.0   # seconds after a restart returns in which an answer may still be 503


@pytest.fixture
def pg_env():
    schema = new_schema("f_")
    yield schema, {**postgres_env(), **POOLS, "POSTGRES_SCHEMA": schema, "LINLI_SECRET": "faults-at-scale-secret"}
    drop_schemas(schema)


def test_two_thousand_mixed_commands_from_twenty_clients_are_all_kept_and_the_views_equal_a_rebuild(tmp_path, pg_env):
    schema, env = pg_env
    started = time.monotonic()
    deployment = Deployment(tmp_path, env)
    try:
        svc = deployment.services()
        plan = arrange(svc)
        assert (len(plan.commands), len(plan.clients)) == (COMMANDS, CLIENTS)
        deployment.ready()
        arranged = time.monotonic()
        load = Load(deployment.servers, plan)
        load.run()
        assert load.errors == []
        assert server_errors(plan) == [], deployment.server_logs()   # no 5xx, no lost connection or session
        counts = outcomes(plan)
        assert {status for _, status in counts} <= {303, 409}  # 409: a shift full (the ones not asking to wait)
        assert missing_acknowledged(svc, plan) == []
        wait_until_caught_up(svc)
        assert rebuilt_differences(svc, schema) == {}
        assert deployment.projector.poll() is None, deployment.projector_log()
    finally:
        deployment.stop()
    print(f"\n{dict(counts)}\nstart + arrange {arranged - started:.1f}s, load {load.seconds:.1f}s "
          f"({COMMANDS / load.seconds:.0f} commands/s), checks {time.monotonic() - arranged - load.seconds:.1f}s, "
          f"total {time.monotonic() - started:.1f}s")


def test_the_projection_process_killed_five_times_during_the_load_resumes_from_its_tracking_position(tmp_path, pg_env):
    """kill -9 of `linli project` at five points spread over the load, restarted after a moment each time. Then, with
    the web processes idle, a backlog only the projection process can apply, and one more kill halfway through it:
    the tracking position never goes back, the projection process alone brings the views to the last event, nothing
    is applied twice (the views equal a rebuild from zero), and every acknowledged command is in the events."""
    schema, env = pg_env
    started = time.monotonic()
    deployment = Deployment(tmp_path, env)
    try:
        svc = deployment.services()
        plan = arrange(svc)
        deployment.ready()
        arranged = time.monotonic()
        load = Load(deployment.servers, plan)
        sender = threading.Thread(target=load.run)
        sender.start()
        kills, rnd = [], random.Random(5)
        for k in range(5):
            while load.done < (k + 1) * COMMANDS // 6 and sender.is_alive():
                time.sleep(0.02)
            assert sender.is_alive(), "the load ended before the fifth kill"
            assert deployment.kill_projector() == -9
            kills.append((load.done, tracking(svc)))
            time.sleep(rnd.uniform(0.1, 1.5))
            deployment.start_projector()
        sender.join(120)
        assert not sender.is_alive()
        assert load.errors == []
        assert server_errors(plan) == [], deployment.server_logs()
        counts = outcomes(plan)
        assert {status for _, status in counts} <= {303, 409}

        # The web processes are idle now: only the projection process moves the views.
        wait_until_caught_up(svc)
        assert deployment.kill_projector() == -9
        before = tracking(svc)
        backlog(svc, plan.community, 2000)
        head = svc.runner.head()
        assert tracking(svc) == before < head
        deployment.start_projector()
        seen = [before]
        while seen[-1] == before:                   # the first batch is in…
            seen.append(tracking(svc))
            assert deployment.projector.poll() is None, deployment.projector_log()
            time.sleep(0.005)
        assert deployment.kill_projector() == -9    # …and the next is not: killed halfway through the backlog
        halfway = tracking(svc)
        assert before < halfway < head, (before, halfway, head)
        deployment.start_projector()
        deadline = time.monotonic() + 60
        while seen[-1] < head:
            seen.append(tracking(svc))
            assert time.monotonic() < deadline, f"the projection process does not resume: {seen[-5:]}"
            time.sleep(0.02)
        assert seen == sorted(seen), "a tracking position went back"
        assert seen[-1] == head == svc.runner.head()

        assert missing_acknowledged(svc, plan) == []
        assert rebuilt_differences(svc, schema) == {}
        assert deployment.projector.poll() is None, deployment.projector_log()
        assert deployment.projector_starts == 8
    finally:
        deployment.stop()
    print(f"\n{dict(counts)}\nkilled at (commands answered, tracking position): {kills}; backlog: tracking {before} "
          f"→ killed at {halfway} → resumed to {head}\nstart + arrange {arranged - started:.1f}s, load {load.seconds:.1f}s, "
          f"total {time.monotonic() - started:.1f}s")


@pytest.fixture
def own_cluster():
    """The cluster `faults` (created once, started here, stopped after), held by this test alone (a file lock keeps
    two runs from restarting it under each other)."""
    if shutil.which("pg_createcluster") is None:
        pytest.skip("pg_createcluster (postgresql-common) is missing: there is no way to make a PostgreSQL cluster of "
                    "this test's own, and the shared one is never restarted")
    with open(FAULTS_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            cluster = faults_cluster()
        except (OSError, subprocess.SubprocessError, RuntimeError) as e:
            detail = getattr(e, "stderr", None) or ""
            message = f"could not create or start the PostgreSQL cluster `faults` for the restart test: {e!r} {detail}"
            if os.environ.get("LINLI_REQUIRE_POSTGRES"):
                pytest.fail(message)
            pytest.skip(message)
        try:
            yield cluster
        finally:
            cluster.ctl("stop")


def restart_under(cluster, table: str, mode: str) -> tuple[int, float, float, float]:
    """Hold `table` locked in `mode` for a second, so that requests pile up inside the database (not between two
    queries), then restart the cluster (fast shutdown: every session is terminated, the lock's with it). Returns how
    many requests were waiting on the lock, when it was taken, and when the restart began and ended."""
    blocker = psycopg.connect(**cluster.conninfo())
    try:
        locked = time.monotonic()
        blocker.execute(f"LOCK TABLE {table} IN {mode} MODE")
        time.sleep(1.0)
        waiting = blocker.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
                                  (table,)).fetchone()[0]
        down = time.monotonic()
        cluster.ctl("restart")
        return waiting, locked, down, time.monotonic()
    finally:
        blocker.close()


def test_postgres_restarted_during_load_answers_503_in_flight_then_succeeds_and_loses_nothing(tmp_path, own_cluster):
    """Two restarts during the load of 20 clients. The first with writes in flight (held on the events table's lock):
    the event store's driver tries them again once the database is back, so they answer 303 (or 503), never 500, and
    are kept. The second with every client's next request in flight (held on the sessions table): they get 503 with
    Retry-After, and the client's repeat with the same command id has the command's one effect. Requests sent once the
    database is back succeed; the projection process lives through both restarts."""
    started = time.monotonic()
    deployment = Deployment(tmp_path, {**own_cluster.env(), **POOLS, "LINLI_SECRET": "postgres-restart-secret"})
    try:
        svc = deployment.services()
        plan = arrange(svc, shifts_per_resident=20, votes_per_resident=20, payments_per_maker=40,
                       approvals_per_checker=40)
        total = len(plan.commands)
        deployment.ready()
        arranged = time.monotonic()
        load = Load(deployment.servers, plan, retry_busy=5, held=3 / 4)   # the last quarter: once the database is back
        sender = threading.Thread(target=load.run)
        sender.start()
        restarts = []
        for share, table, mode in ((1 / 4, "public.linli_events", "EXCLUSIVE"),
                                   (2 / 4, "linli_views.web_sessions", "ACCESS EXCLUSIVE")):
            while load.done < total * share and sender.is_alive():
                time.sleep(0.02)
            assert sender.is_alive(), "the load ended before the restart"
            restarts.append(restart_under(own_cluster, table, mode))
        time.sleep(max(0.0, restarts[-1][3] + GRACE - time.monotonic()))
        load.resume.set()
        sender.join(180)
        assert not sender.is_alive()
        assert load.errors == []

        (writes, _, down1, up1), (reads, locked2, down2, up2) = restarts
        answers = [(status, sent, answered) for c in plan.commands for status, sent, answered in c.answers]
        assert server_errors(plan, allowed=(503,)) == [], deployment.server_logs()   # never a 500 (nor a lost session)
        spanning1 = sorted(status for status, sent, answered in answers if sent < down1 < answered)
        spanning2 = sorted(status for status, sent, answered in answers if sent < down2 < answered)
        busy = [(sent, answered) for status, sent, answered in answers if status == 503]
        assert writes >= 3 and set(spanning1) <= {303, 409, 503}
        # A request held in the database when it stops gets 503; a few get their answer just before their session ends
        # (PostgreSQL's shutdown grants the lock as the holder dies) and go on once the database is back.
        assert reads >= 3 and 503 in spanning2 and set(spanning2) <= {303, 409, 503}
        assert all(down1 <= answered and sent <= up1 + GRACE or down2 <= answered and sent <= up2 + GRACE
                   for sent, answered in busy)                 # 503 only for what the restarts caught
        assert {h for c in plan.commands for h in c.retry_after} == {"5"}
        later = [(c.path, status, sent - up1, sent - up2) for c in plan.commands for status, sent, _ in c.answers
                 if up1 + GRACE < sent < locked2 or sent > up2 + GRACE]
        assert later and [a for a in later if a[1] not in (200, 303, 409)] == []   # the database back: all works
        assert [c.path for c in plan.commands if c.status == 503 and c.kind != "signup"] == []  # repeats settled

        assert missing_acknowledged(svc, plan) == []
        wait_until_caught_up(svc)
        assert rebuilt_differences(svc, "linli") == {}
        assert deployment.projector.poll() is None, deployment.projector_log()
    finally:
        deployment.stop()
    print(f"\n{dict(outcomes(plan))}\nrestart 1: {writes} writes held in the database, restart {up1 - down1:.1f}s, "
          f"answers of the requests it caught: {dict(Counter(spanning1))}\nrestart 2: {reads} requests held, restart "
          f"{up2 - down2:.1f}s, answers of the requests it caught: {dict(Counter(spanning2))}; 503s in all: {len(busy)}"
          f"\nstart + arrange {arranged - started:.1f}s, load {load.seconds:.1f}s, checks "
          f"{time.monotonic() - arranged - load.seconds:.1f}s, total {time.monotonic() - started:.1f}s")
