"""Attachments of proposals: images and PDF only, decided by their content, stored under
UPLOAD_FOLDER by a random name.

A file's name and the type the browser claims say nothing: an image must open and verify in
Pillow, and is re-encoded (its metadata and anything hidden after its data are dropped); a PDF
must start with %PDF- and hold an %%EOF marker. Everything else is refused.
"""
import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.utils import secure_filename

from civiclab.core.errors import DomainError
from civiclab.core.sanitize import plain_text

# Pillow's format -> (content type, extension of the stored file).
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
PDF = ("application/pdf", "pdf")
MAX_PIXELS = 40_000_000  # a photo of 40 megapixels; more is a decompression bomb, not a picture
FILENAME_MAX = 160


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


def _image_format(data):
    """(Pillow's format, pixels) if `data` is an image Pillow verifies, else None."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format, image.size[0] * image.size[1]
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        return None


def _reencoded(data, image_format):
    """The image drawn again in its own format, without metadata or trailing bytes; None if
    Pillow cannot decode it after all."""
    out = io.BytesIO()
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # keep a photo upright once its EXIF is gone
            if image_format == "JPEG":
                if image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                image.save(out, "JPEG", quality=88, optimize=True)
            elif image_format == "PNG":
                image.save(out, "PNG", optimize=True)
            else:
                image.save(out, "WEBP", quality=88)
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        return None
    return out.getvalue()


def _is_pdf(data):
    return data.startswith(b"%PDF-") and b"%%EOF" in data


def check_upload(upload):
    """A CheckedUpload from a werkzeug FileStorage, or DomainError (field "files") saying why not."""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    name = plain_text(upload.filename or "")
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        megabytes = round(limit / 1024 / 1024)
        raise _refuse(_l("«%(name)s» supera la dimensione massima di %(mb)s MB.", name=name, mb=megabytes))
    if not data:
        raise _refuse(_l("«%(name)s» è vuoto.", name=name))
    if _is_pdf(data):
        content_type, extension = PDF
        return CheckedUpload(_display_name(name, extension), content_type, extension, data)
    found = _image_format(data)
    if found is not None and found[0] in IMAGE_FORMATS:
        image_format, pixels = found
        if pixels > MAX_PIXELS:
            raise _refuse(_l("L'immagine «%(name)s» è troppo grande (più di 40 megapixel).", name=name))
        encoded = _reencoded(data, image_format)
        if encoded is not None:
            content_type, extension = IMAGE_FORMATS[image_format]
            return CheckedUpload(_display_name(name, extension), content_type, extension, encoded)
    raise _refuse(_l("«%(name)s» non è un'immagine JPEG, PNG o WebP né un PDF: si possono allegare solo "
                     "questi tipi di file.", name=name))


def check_uploads(uploads):
    """Every upload checked before any is stored, so one bad file stores nothing."""
    return [check_upload(upload) for upload in uploads]


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
