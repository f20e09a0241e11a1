"""What the grid web tests build with: photos made with Pillow, a community with a grid and its people, and forms
posted as a browser posts them (multipart when a photo goes with them)."""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from domain.kernel import roles
from tests.builders import command_id, web_person

HX = {"HX-Request": "true"}


def png_bytes(size=(120, 80), colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(size=(160, 120)) -> bytes:
    """A JPEG whose EXIF names a camera and a place (GPS), as phones write them."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (32.0, 3.0, 41.0), 3: "E", 4: (118.0, 46.0, 12.0)}
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def events(web) -> int:
    return web.services.app.recorder.max_notification_id() or 0


def refused_and_nothing_recorded(web, send, status: int = 403):
    before = events(web)
    response = send()
    assert response.status_code == status, response.text
    assert events(web) == before
    return response


@dataclass
class GridWeb:
    """A community with one grid over 3号楼, its grid worker, two residents (one living there) and an official."""

    web: object
    places: object
    worker: tuple
    grid: str
    grid_worker: tuple
    other_grid_worker: tuple
    resident: tuple
    neighbour: tuple
    official: tuple

    @property
    def base(self) -> str:
        return f"/c/{self.places.community}/grid"

    def as_user(self, person) -> None:
        self.web.logout()
        if person is not None:
            self.web.login(person[1])

    def submit(self, data: dict | None = None, photo: bytes | None = None, filename: str = "photo.png"):
        body = {"csrf_token": self.web.csrf, "command_id": command_id(), "category_id": "2",
                "description": "3 号楼 2 单元门口路灯不亮", "building": "3号楼", "unit": "2单元", "place": "",
                "public": "1", **(data or {})}
        files = {"photo": (filename, photo, "application/octet-stream")} if photo is not None else \
            {"photo": ("", b"", "application/octet-stream")}
        return self.web.client.post(f"{self.base}/requests", data=body, files=files, follow_redirects=False)

    def request_url(self, request_id) -> str:
        return f"{self.base}/requests/{request_id}"

    def post(self, path: str, data: dict | None = None):
        return self.web.post_form(path, {"command_id": command_id(), **(data or {})})


def grid_web(web, places, worker) -> GridWeb:
    app = web.services.app
    grid = app.grid.define_grid(worker[0], places.community, "第一网格")
    other = app.grid.define_grid(worker[0], places.community, "第二网格")
    app.grid.assign_area(worker[0], places.community, grid, "3号楼")
    app.grid.assign_area(worker[0], places.community, other, "5号楼")
    grid_worker = web_person(web, None, places.community, "张网格员")
    other_grid_worker = web_person(web, None, places.community, "赵网格员")
    app.accounts.grant_role(grid_worker[0], roles.GRID_WORKER, grid)
    app.accounts.grant_role(other_grid_worker[0], roles.GRID_WORKER, other)
    resident = web_person(web, None, places.community, "王居民")
    app.accounts.set_home(resident[0], resident[0], places.community, "3号楼", "2单元")
    site = GridWeb(web=web, places=places, worker=worker, grid=str(grid), grid_worker=grid_worker,
                   other_grid_worker=other_grid_worker, resident=resident,
                   neighbour=web_person(web, None, places.community, "李邻居"),
                   official=web_person(web, "street_official", places.street, "孙街道"))
    web.services.runner.catch_up()
    return site


def submitted(site: GridWeb, response) -> str:
    """The request id a submission redirected to."""
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]
