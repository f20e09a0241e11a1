"""What an operator's tools ask: is the process alive (/healthz), may it take traffic (/readyz), and how is it doing
(/metrics, Prometheus text, behind a token). JSON and metrics carry no personal data."""
from __future__ import annotations

import hmac
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from web.http import page, services

READY_LAG = 100   # the views may trail the events by this many and still take traffic


class Metrics:
    """Counters and timings of one web process, and figures read from the store at each scrape."""

    def __init__(self, svc) -> None:
        self.svc = svc
        self.registry = CollectorRegistry()
        self.requests = Counter("linli_requests", "HTTP requests by route and status", ["route", "status"],
                                registry=self.registry)
        self.latency = Histogram("linli_request_seconds", "HTTP request time by route", ["route"],
                                 registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.registry.register(_StoreCollector(svc))

    def observe(self, route: str, status: int, seconds: float) -> None:
        self.requests.labels(route, str(status)).inc()
        self.latency.labels(route).observe(seconds)


class _StoreCollector:
    """Command outcomes, projection lag and the store's size, read when Prometheus scrapes."""

    def __init__(self, svc) -> None:
        self.svc = svc

    def collect(self):
        app, runner = self.svc.app, self.svc.runner
        outcomes = GaugeMetricFamily("linli_commands", "Commands by outcome since the process started "
                                     "(ok, repeat, conflict_retried, contended, refused, busy)", labels=["outcome"])
        for outcome, n in sorted(app.outcomes.items()):
            outcomes.add_metric([outcome], n)
        yield outcomes
        head, position = runner.head(), runner.position()
        yield GaugeMetricFamily("linli_events", "Events in the store (the last notification id)", value=head)
        yield GaugeMetricFamily("linli_projection_lag", "Events the views have not applied yet", value=head - position)
        yield GaugeMetricFamily("linli_projection_failed", "1 when a projection stopped on an event",
                                value=1 if runner.failure else 0)
        if not self.svc.settings.postgres:
            size = sum(p.stat().st_size for p in Path(self.svc.settings.data_dir).glob("events.sqlite3*"))
            yield GaugeMetricFamily("linli_event_store_bytes", "Bytes of the SQLite event store (WAL included)",
                                    value=size)


@page(public=True)
def health(request: Request) -> Response:
    """Liveness: the process answers; also how far the views are (tests and scripts wait on it)."""
    svc = services(request)
    failure = svc.runner.failure
    body = {"status": "failed" if failure else "ok", "events": svc.runner.head(),
            "views": svc.runner.position(), "projection_error": repr(failure) if failure else None}
    return JSONResponse(body, status_code=500 if failure else 200)


@page(public=True)
def ready(request: Request) -> Response:
    """Readiness: the store answers, no projection has stopped, and the views are within READY_LAG events."""
    svc = services(request)
    try:
        head, position = svc.runner.head(), svc.runner.position()
    except Exception:   # the store or the views cannot be reached
        return JSONResponse({"status": "unavailable", "reason": "store unreachable"}, status_code=503)
    lag = head - position
    ok = svc.runner.failure is None and lag <= READY_LAG
    return JSONResponse({"status": "ready" if ok else "not ready", "lag": lag,
                         "projection_failed": svc.runner.failure is not None}, status_code=200 if ok else 503)


@page(public=True)
def metrics(request: Request) -> Response:
    """Prometheus text format, for a scraper holding `LINLI_METRICS_TOKEN` (Authorization: Bearer …); without a
    configured token the endpoint does not exist."""
    token = services(request).settings.metrics_token
    sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(sent.encode(), token.encode()):
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


routes = [
    Route("/healthz", health, name="health"),
    Route("/readyz", ready, name="ready"),
    Route("/metrics", metrics, name="metrics"),
]
