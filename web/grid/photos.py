"""Photos residents attach to requests: read from a multipart form, checked to be a plain JPEG or PNG (no trailing
payload, no markup or archive in its metadata: no polyglots; not too many pixels: no decompression bombs), decoded
with Pillow and re-encoded as a fresh JPEG with no metadata at all (EXIF, GPS, ICC, comments), at most 1600 pixels
on its longer side. Only the re-encoded bytes are ever kept, sealed under the reporter's key."""
from __future__ import annotations

import base64
import functools
import hashlib
import io
import re
import struct
import warnings
from collections.abc import Callable
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from domain.kernel.errors import InvalidInputError
from web.http import MAX_FIELDS, Form, _run

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000        # a 40-megapixel photo is a phone's largest; more is a decompression bomb
MAX_SIDE = 1600                # kept photos are at most this wide or high
PHOTO_FIELD = "photo"
_MARKUP = re.compile(rb"<\s*(script|html|body|svg|iframe|object|embed|\?php|!doctype)|PK\x03\x04|%PDF-|MZ\x90\x00",
                     re.IGNORECASE)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class PhotoError(InvalidInputError):
    """The upload is not a photo Linli keeps."""

    message = "照片无法使用：{reason}"


def clean_photo(data: bytes | None) -> bytes | None:
    """The photo re-encoded as a metadata-free JPEG, or None when nothing was uploaded; PhotoError otherwise."""
    if not data:
        return None
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(reason="照片不能超过 5 MB")
    if data.startswith(b"\xff\xd8\xff"):
        _check_jpeg(data)
    elif data.startswith(_PNG_SIGNATURE):
        _check_png(data)
    else:
        raise PhotoError(reason="只接受 JPG 或 PNG 格式的照片")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS or width < 1 or height < 1:
                    raise PhotoError(reason="照片像素过多")
                probe.verify()
            with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                rgb = _flatten(upright)
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(reason="照片像素过多") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error, EOFError):
        raise PhotoError(reason="文件已损坏或不是照片") from None
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.frombytes("RGB", rgb.size, rgb.tobytes())   # pixels only: no info, EXIF, ICC or comments
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels; transparency on white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _refuse_markup(segment: bytes) -> None:
    if _MARKUP.search(segment):
        raise PhotoError(reason="文件中夹带了其他内容")


def _check_jpeg(data: bytes) -> None:
    """Walk the JPEG's segments to its end-of-image marker: metadata without markup, nothing after the end."""
    pos, size = 2, len(data)
    while pos < size:
        if data[pos] != 0xFF:
            raise PhotoError(reason="文件已损坏或不是照片")
        marker = data[pos + 1] if pos + 1 < size else 0
        if marker == 0xFF:          # fill bytes
            pos += 1
            continue
        if marker == 0xD9:          # end of image
            end = pos + 2
            if data[end:].strip(b"\x00"):
                raise PhotoError(reason="文件中夹带了其他内容")
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > size:
            break
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if length < 2:
            break
        segment_end = pos + 2 + length
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:   # APPn and COM: where payloads hide
            _refuse_markup(data[pos + 4:segment_end])
        pos = segment_end
        if marker == 0xDA:          # start of scan: entropy-coded data runs to the next real marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    pos = size
                    break
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:   # stuffed byte, restart marker
                    pos += 2
                elif following == 0xFF:
                    pos += 1
                else:
                    break
    raise PhotoError(reason="文件已损坏或不是照片")


def _check_png(data: bytes) -> None:
    """Walk the PNG's chunks to IEND: text chunks without markup, nothing after the end."""
    pos, size = len(_PNG_SIGNATURE), len(data)
    while pos + 8 <= size:
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body_end = pos + 8 + length
        if body_end + 4 > size:
            break
        if kind != b"IDAT":
            _refuse_markup(data[pos + 8:body_end])
        pos = body_end + 4
        if kind == b"IEND":
            if data[pos:].strip(b"\x00"):
                raise PhotoError(reason="文件中夹带了其他内容")
            return
    raise PhotoError(reason="文件已损坏或不是照片")


def digest(jpeg: bytes) -> str:
    """The SHA-256 of the kept bytes (recorded in the request's event)."""
    return hashlib.sha256(jpeg).hexdigest()


def seal(sealer: Any, reporter_id: Any, jpeg: bytes) -> str:
    """The kept bytes sealed under the reporter's key: erasing them erases their photos everywhere."""
    return sealer.seal(reporter_id, {"jpeg": base64.b64encode(jpeg).decode()})


def unseal(sealer: Any, reporter_id: Any, sealed: str) -> bytes | None:
    fields = sealer.unseal(reporter_id, sealed)
    return base64.b64decode(fields["jpeg"]) if fields else None


def photo_response(jpeg: bytes) -> Response:
    """The photo for those allowed to see it: never cached, never sniffed as anything but a JPEG."""
    return Response(jpeg, media_type="image/jpeg", headers={
        "Cache-Control": "private, no-store", "Content-Disposition": 'inline; filename="photo.jpg"'})


# --- a POST with one photo ----------------------------------------------------------------------------------------------
async def read_upload(request: Request) -> tuple[Form, bytes | None]:
    """The form's fields, cleaned as `web.http.read_form` cleans them, and the bytes of its one photo (at most one
    byte more than a photo may have, so a larger one is refused without being read whole)."""
    photo: bytes | None = None
    try:
        async with request.form(max_fields=MAX_FIELDS, max_files=1) as raw:
            data: dict[str, str] = {}
            lists: dict[str, list[str]] = {}
            for key, value in raw.multi_items():
                if "\x00" in key or "\ufffd" in key:
                    raise HTTPException(400, "提交的内容含有无效字符")
                if isinstance(value, UploadFile):
                    if key != PHOTO_FIELD or photo is not None:
                        raise HTTPException(400, "不接受文件上传")
                    photo = await value.read(MAX_PHOTO_BYTES + 1)
                    continue
                if "\x00" in value or "\ufffd" in value:
                    raise HTTPException(400, "提交的内容含有无效字符")
                data[key] = value
                lists.setdefault(key, []).append(value)
    except HTTPException:
        raise
    except Exception:
        raise HTTPException(400, "无法读取提交的表单") from None
    return Form(data, lists), photo


def upload_action(fn: Callable[[Request, Form, bytes | None], Response]) -> Callable[[Request], Any]:
    """A logged-in POST endpoint with a photo: `fn(request, form, photo_bytes)`, after the same CSRF check, principal
    and error pages as `web.http.action`."""
    @functools.wraps(fn)
    async def endpoint(request: Request) -> Response:
        form, photo = await read_upload(request)
        return await run_in_threadpool(_run, lambda req, f: fn(req, f, photo), request, False, form)
    return endpoint
