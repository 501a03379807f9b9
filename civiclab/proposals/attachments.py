"""Attachments of proposals: images and PDF only, decided by their content, stored under
UPLOAD_FOLDER by a random name.

A file's name and the type the browser claims say nothing: an image must open and verify in
Pillow, and is re-encoded (its metadata and anything hidden after its data are dropped); a PDF
must start with %PDF- and hold an %%EOF marker. Everything else is refused.

An image's work is bounded before it starts: its size in pixels is read from its header and
refused past UPLOAD_MAX_PIXELS, it is shrunk by a whole factor to fit IMAGE_MAX_SIDE (a JPEG
while it is decoded), and it is encoded without `optimize` (which tries every compression, for
seconds).
The decoding and encoding run off the event loop (core/blocking.py).
"""
import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.utils import secure_filename

from civiclab.core.blocking import run_off_event_loop
from civiclab.core.errors import DomainError
from civiclab.core.sanitize import plain_text

# Pillow's format -> (content type, extension of the stored file).
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
PDF = ("application/pdf", "pdf")
IMAGE_MAX_SIDE = 2560  # longest side of a stored image at most: sharp on a page, light to send
FILENAME_MAX = 160
# What Pillow raises on a file it cannot read after all.
_UNREADABLE = (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError)


@dataclass
class ReceivedUpload:
    """A file as it came, within the size limit: its name as typed and its bytes."""

    name: str
    data: bytes

    @property
    def size(self):
        return len(self.data)


@dataclass
class CheckedUpload:
    """A file that passed the checks, ready to be stored: what people see and what we serve."""

    filename: str
    content_type: str
    extension: str
    data: bytes

    @property
    def size(self):
        return len(self.data)


def _refuse(message):
    return DomainError(message, field="files")


def _display_name(name, extension):
    """The name people see: no path, no tags or control characters, not too long, ending with
    the extension of what the file really is."""
    name = Path((name or "").replace("\\", "/")).name
    name = "".join(ch for ch in plain_text(name) if ch.isprintable()).strip() or f"allegato.{extension}"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:FILENAME_MAX - len(extension) - 1]}.{extension}"


def receive(upload):
    """A ReceivedUpload from a werkzeug FileStorage, or DomainError if it is empty or too large
    (UPLOAD_MAX_BYTES): what can be told without looking inside."""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    name = plain_text(upload.filename or "")
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        megabytes = round(limit / 1024 / 1024)
        raise _refuse(_l("«%(name)s» supera la dimensione massima di %(mb)s MB.", name=name, mb=megabytes))
    if not data:
        raise _refuse(_l("«%(name)s» è vuoto.", name=name))
    return ReceivedUpload(name, data)


def receive_all(uploads):
    return [receive(upload) for upload in uploads]


# ---- images (plain functions of bytes: they run in a worker thread, without Flask) -----------

def _image_format(data):
    """(Pillow's format, width, height) read from the header, if Pillow verifies `data` as an
    image (without decoding its pixels); else None."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format, image.size[0], image.size[1]
    except _UNREADABLE:
        return None


def _reduction(width, height, max_side):
    """The whole factor that brings (width, height) within `max_side` (1: it fits already)."""
    return -(-max(width, height) // max_side)


def _reencoded(data, image_format, max_side=IMAGE_MAX_SIDE):
    """The image drawn again in its own format, without metadata or trailing bytes, shrunk by a
    whole factor until its longest side is at most `max_side` (so between half of it and all of
    it); None if Pillow cannot decode it after all.

    Shrinking by a whole factor is cheap: the JPEG decoder does it as it goes (`draft`, by 2, 4 or
    8), and `reduce` averages blocks of pixels; a resampling filter costs several times more.
    """
    out = io.BytesIO()
    try:
        with Image.open(io.BytesIO(data)) as image:
            factor = _reduction(*image.size, max_side)
            if image_format == "JPEG" and factor > 1:
                width, height = image.size
                image.draft("RGB" if image.mode not in ("RGB", "L") else image.mode,
                            (-(-width // factor), -(-height // factor)))
            image.load()
            factor = _reduction(*image.size, max_side)
            if factor > 1:
                if image.mode in ("P", "1"):
                    image = image.convert("RGBA")  # averaged in colour, not by palette index
                image = image.reduce(factor)
            image = ImageOps.exif_transpose(image)  # keep a photo upright once its EXIF is gone
            if image_format == "JPEG":
                if image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                image.save(out, "JPEG", quality=85)
            elif image_format == "PNG":
                image.save(out, "PNG")
            else:
                image.save(out, "WEBP", quality=85)
    except _UNREADABLE:
        return None
    return out.getvalue()


def _image_check(data, max_pixels, max_side):
    """("image", format, bytes), ("too_large", width, height) or ("unknown",): the whole work on
    an image, in one call for the worker thread."""
    found = _image_format(data)
    if found is None or found[0] not in IMAGE_FORMATS:
        return ("unknown",)
    image_format, width, height = found
    if width * height > max_pixels:
        return ("too_large", width, height)
    encoded = _reencoded(data, image_format, max_side)
    return ("image", image_format, encoded) if encoded is not None else ("unknown",)


def _is_pdf(data):
    return data.startswith(b"%PDF-") and b"%%EOF" in data


def check_upload(received):
    """A CheckedUpload from a ReceivedUpload, or DomainError (field "files") saying why not."""
    name, data = received.name, received.data
    if _is_pdf(data):
        content_type, extension = PDF
        return CheckedUpload(_display_name(name, extension), content_type, extension, data)
    max_pixels = current_app.config["UPLOAD_MAX_PIXELS"]
    outcome = run_off_event_loop(_image_check, data, max_pixels, IMAGE_MAX_SIDE)
    if outcome[0] == "too_large":
        raise _refuse(_l("L'immagine «%(name)s» è troppo grande (%(size)s megapixel): si possono allegare "
                         "immagini fino a %(max)s megapixel, come la foto di un telefono.",
                         name=name, size=round(outcome[1] * outcome[2] / 1_000_000),
                         max=round(max_pixels / 1_000_000)))
    if outcome[0] == "image":
        content_type, extension = IMAGE_FORMATS[outcome[1]]
        return CheckedUpload(_display_name(name, extension), content_type, extension, outcome[2])
    raise _refuse(_l("«%(name)s» non è un'immagine JPEG, PNG o WebP né un PDF: si possono allegare solo "
                     "questi tipi di file.", name=name))


def check_uploads(received):
    """Every upload checked before any is stored, so one bad file stores nothing."""
    return [check_upload(upload) for upload in received]


# ---- storage -------------------------------------------------------------------------------

def folder():
    path = Path(current_app.config["UPLOAD_FOLDER"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(checked):
    """Write the file under a random name nobody can guess; returns that name."""
    stored_name = f"{secrets.token_urlsafe(24)}.{checked.extension}"
    (folder() / stored_name).write_bytes(checked.data)
    return stored_name


def path_of(attachment):
    return folder() / attachment.stored_name


def remove(stored_name):
    (folder() / stored_name).unlink(missing_ok=True)


def download_name(attachment):
    """An ASCII file name for the Content-Disposition header (the real one travels as filename*)."""
    return secure_filename(attachment.filename) or f"allegato.{attachment.stored_name.rsplit('.', 1)[-1]}"


def send(attachment):
    """The stored file of an attachment (a proposal's or an outcome's) with the type its content
    proved; PDFs are downloaded, never shown in our origin. 404 if the file is gone."""
    path = path_of(attachment)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=attachment.content_type, as_attachment=not attachment.is_image,
                         download_name=download_name(attachment), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
