"""Uploads cost bounded work: an image past the pixel cap is refused from its header, a large one is
scaled down as it is decoded and encoded without `optimize`, the work runs off the event loop, and
each user has a daily quota of files and bytes that a refused form tells them about."""
import io
import struct
import zlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from civiclab.accounts.services import export_user_data
from civiclab.core.time import utcnow
from civiclab.proposals import attachments
from civiclab.proposals.models import Attachment, Proposal, ProposalState, UploadRecord
from tests.conftest import login, text_of
from tests.unit.proposals.test_attachments import PDF, files, png_bytes, post_new, stored


def png_header_only(width, height):
    """A valid PNG claiming `width` × `height` pixels, with almost no data: what a decompression
    bomb looks like from outside (a few hundred bytes)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def jpeg_bytes(size):
    out = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(out, "JPEG", quality=80)
    return out.getvalue()


def size_of(data):
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@pytest.fixture
def author(client, make_user):
    user = make_user()
    login(client, user)
    return user


def draft_edit(client, draft, call, attachments_):
    data = {"title": draft.title, "body": draft.body, "theme_id": str(call.themes[0].id), "lab_id": "0",
            "save": "Salva", "attachments": attachments_}
    return client.post(f"/proposte/{draft.id}/modifica", data=data, content_type="multipart/form-data")


# ---- bounded work --------------------------------------------------------------------------

def test_an_image_past_the_pixel_cap_is_refused_from_its_header_without_decoding(
        client, author, db_session, make_call, uploads, monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("the image was decoded")
    monkeypatch.setattr(attachments, "_reencoded", no_decoding)
    monkeypatch.setattr(Image.Image, "load", no_decoding)  # no pixel is read, whatever path is taken

    response = post_new(client, make_call(), files((png_header_only(8000, 6000), "panorama.png")))

    assert response.status_code == 422
    assert ("L'immagine «panorama.png» è troppo grande (48 megapixel): si possono allegare immagini fino a "
            "24 megapixel") in text_of(response)
    assert "Un orto nel cortile." in response.get_data(as_text=True)  # the text is still in the form
    assert db_session.scalar(sa.select(sa.func.count(Proposal.id))) == 0
    assert stored(uploads) == []


def test_the_pixel_cap_is_a_setting(app, client, author, make_call, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_PIXELS", 40)

    response = post_new(client, make_call(), files((png_bytes(size=(8, 6)), "piccola.png")))

    assert response.status_code == 422 and "«piccola.png» è troppo grande" in text_of(response)


@pytest.mark.parametrize(("make", "size", "expected"), [
    (jpeg_bytes, (4000, 3000), (2000, 1500)),  # halved: the longest side within 2560
    (lambda size: png_bytes(size=size), (6000, 200), (2000, 67)),
    (lambda size: png_bytes(size=size), (1200, 900), (1200, 900)),  # small enough: kept as it is
])
def test_a_large_but_allowed_image_is_scaled_down_to_fit_the_page(client, author, db_session, make_call, uploads,
                                                                  make, size, expected):
    response = post_new(client, make_call(), files((make(size), "foto.jpg")))

    assert response.status_code == 302
    attachment = db_session.scalars(sa.select(Attachment)).one()
    assert size_of((uploads / attachment.stored_name).read_bytes()) == expected


def test_a_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    from PIL import ImageFile

    decoded = []
    original = ImageFile.ImageFile.load

    def spy(self):
        decoded.append(self.size)
        return original(self)
    data = jpeg_bytes((5600, 4200))
    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)

    result = attachments._reencoded(data, "JPEG")

    assert decoded[0] == (2800, 2100)  # a quarter of the pixels come out of the decoder
    assert size_of(result) == (1400, 1050)


def test_no_image_is_encoded_with_optimize(client, author, make_call, uploads, monkeypatch):
    webp = io.BytesIO()
    Image.new("RGB", (20, 20)).save(webp, "WEBP")
    chosen = files((jpeg_bytes((3000, 2000)), "a.jpg"), (png_bytes(), "b.png"), (webp.getvalue(), "c.webp"))
    saves = []
    original = Image.Image.save

    def spy(self, fp, format=None, **params):
        saves.append((format, params))
        return original(self, fp, format, **params)
    monkeypatch.setattr(Image.Image, "save", spy)

    response = post_new(client, make_call(), chosen)

    assert response.status_code == 302
    assert sorted(fmt for fmt, _params in saves) == ["JPEG", "PNG", "WEBP"]
    assert [params for _fmt, params in saves if params.get("optimize")] == []


def test_images_are_decoded_and_encoded_off_the_event_loop(client, author, make_call, uploads, monkeypatch):
    calls = []

    def spy(function, *args, **kwargs):
        calls.append(function.__name__)
        return function(*args, **kwargs)
    monkeypatch.setattr(attachments, "run_off_event_loop", spy)

    post_new(client, make_call(), files((png_bytes(), "a.png"), (PDF, "b.pdf")))

    assert calls == ["_image_check"]  # the image's whole work; a PDF is only looked at


# ---- the daily quota -----------------------------------------------------------------------

def test_the_quota_refuses_the_file_past_the_days_limit_and_keeps_the_text(
        app, client, author, db_session, make_call, make_proposal, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_QUOTA_FILES_PER_DAY", 3)
    call = make_call()
    draft = make_proposal(call=call, author=author, state=ProposalState.DRAFT)
    assert draft_edit(client, draft, call, files((PDF, "1.pdf"), (PDF, "2.pdf"))).status_code == 302

    response = post_new(client, call, files((PDF, "3.pdf"), (PDF, "4.pdf")), body="Un orto con le api.")

    assert response.status_code == 422
    assert ("Hai già caricato molti file nelle ultime 24 ore (si possono allegare al massimo 3 file e 50 MB al "
            "giorno): riprova domani, oppure salva ora la proposta senza allegati.") in text_of(response)
    assert "Un orto con le api." in response.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count(Proposal.id))) == 1
    assert len(stored(uploads)) == 2
    # One more still fits; and the same text without files is saved.
    assert post_new(client, call, files((PDF, "3.pdf"))).status_code == 302
    assert post_new(client, call, files(), body="Un orto con le api.").status_code == 302


def test_removing_an_attachment_does_not_give_the_quota_back(app, client, author, db_session, make_call,
                                                             make_proposal, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_QUOTA_FILES_PER_DAY", 1)
    call = make_call()
    draft = make_proposal(call=call, author=author, state=ProposalState.DRAFT)
    assert draft_edit(client, draft, call, files((PDF, "1.pdf"))).status_code == 302
    attachment = db_session.scalars(sa.select(Attachment)).one()
    assert client.post(f"/proposte/{draft.id}/allegati/{attachment.id}/elimina").status_code == 302

    response = draft_edit(client, draft, call, files((PDF, "1.pdf")))

    assert response.status_code == 422 and "nelle ultime 24 ore" in text_of(response)


def test_the_quota_counts_bytes_as_received_over_the_last_24_hours(app, client, author, db_session, make_call,
                                                                   make_proposal, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_QUOTA_BYTES_PER_DAY", 1000)
    db_session.add(UploadRecord(user_id=author.id, size=900, created_at=utcnow() - timedelta(hours=23)))
    db_session.add(UploadRecord(user_id=author.id, size=5000, created_at=utcnow() - timedelta(hours=25)))
    db_session.commit()
    call = make_call()
    draft = make_proposal(call=call, author=author, state=ProposalState.DRAFT)

    assert draft_edit(client, draft, call, files((PDF + b" " * 100, "grande.pdf"))).status_code == 422
    assert draft_edit(client, draft, call, files((PDF, "piccolo.pdf"))).status_code == 302  # 900 + 52 bytes


def test_the_quota_is_per_user(app, client, db_session, make_call, make_user, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_QUOTA_FILES_PER_DAY", 1)
    call = make_call()
    for _person in range(2):
        login(client, make_user())
        assert post_new(client, call, files((PDF, "piano.pdf"))).status_code == 302


def test_upload_records_are_in_the_export_and_go_with_the_account(client, author, db_session, make_call, uploads,
                                                                  in_request):
    from civiclab.core import signals

    post_new(client, make_call(), files((PDF, "piano.pdf")))

    (record,) = export_user_data(author)["upload_records"]
    assert record["size"] == len(PDF) and record["created_at"]
    signals.user_deleted.send(author)
    assert db_session.scalar(sa.select(sa.func.count(UploadRecord.id))) == 0
