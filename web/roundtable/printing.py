"""What the roundtable prints: the QR code on the notice for the board (drawn with segno, as SVG so it stays
sharp on paper). The notice and the sign-in sheet themselves are A4 pages (`notice.html`, `sign_in_sheet.html`)."""
from __future__ import annotations

import segno


def qr_svg_uri(text: str) -> str:
    """A QR code of `text` (error correction M: still readable with a crease or a pin through it) as an SVG data
    URI for an <img> (the CSP allows `data:` images; no inline markup is needed)."""
    return segno.make(text, error="m", micro=False).svg_data_uri(omitsize=True, border=4)
