"""QR images of short texts (registration codes): an SVG data: URL for pages, a PNG for mails."""
import io

import segno


def qr_svg_data_uri(text):
    """A data: URL of an SVG (the CSP allows data: images), for an <img> with an alt text."""
    return segno.make(text, error="m").svg_data_uri(scale=6, border=2)


def qr_png(text):
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()
