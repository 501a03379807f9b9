"""Attachments: images and PDF decided by content, re-encoded images, limits of size and number,
nothing stored when one file is refused, served only to who may see the proposal."""
import io

import pytest
import sqlalchemy as sa
from PIL import Image, PngImagePlugin

from civiclab.proposals.models import Attachment, Proposal, ProposalState
from tests.conftest import login, text_of


def png_bytes(size=(8, 6), text=None):
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 40)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg_with_gps():
    exif = Image.Exif()
    exif[0x010F] = "FotoCamera Segreta"  # Make
    exif[0x8825] = {2: (44.0, 29.0, 40.0)}  # GPS latitude
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (200, 10, 10)).save(out, "JPEG", exif=exif)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def files(*pairs):
    return [(io.BytesIO(data), name) for data, name in pairs]


def post_new(client, call, attachments, **fields):
    data = {"title": "Orti condivisi", "body": "Un orto nel cortile.", "theme_id": str(call.themes[0].id),
            "lab_id": "0", "place": "", "save": "Salva bozza", "attachments": attachments, **fields}
    return client.post(f"/call/{call.id}/proponi", data=data, content_type="multipart/form-data")


def stored(folder):
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def author_client(client, make_user):
    login(client, make_user())
    return client


def test_an_image_and_a_pdf_are_stored_and_served(author_client, db_session, make_call, uploads):
    call = make_call()
    response = post_new(author_client, call, files((png_bytes(), "foto del cortile.png"), (PDF, "progetto.pdf")))
    assert response.status_code == 302
    proposal = db_session.scalars(sa.select(Proposal)).one()
    image, pdf = proposal.attachments
    assert (image.content_type, image.filename) == ("image/png", "foto del cortile.png")
    assert (pdf.content_type, pdf.filename, pdf.size) == ("application/pdf", "progetto.pdf", len(PDF))
    assert sorted([image.stored_name, pdf.stored_name]) == stored(uploads)
    assert "foto" not in image.stored_name  # a random name, not the person's

    served = author_client.get(f"/proposte/{proposal.id}/allegati/{image.id}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline")
    served_pdf = author_client.get(f"/proposte/{proposal.id}/allegati/{pdf.id}")
    assert served_pdf.mimetype == "application/pdf" and served_pdf.data == PDF
    assert served_pdf.headers["Content-Disposition"].startswith("attachment")
    assert "progetto.pdf" in served_pdf.headers["Content-Disposition"]

    page = author_client.get(f"/proposte/{proposal.id}").get_data(as_text=True)
    assert f'<img class="img-fluid cl-attachment-image" src="/proposte/{proposal.id}/allegati/{image.id}"' in page
    assert 'alt="Immagine allegata: foto del cortile.png"' in page
    assert f'<a href="/proposte/{proposal.id}/allegati/{pdf.id}">progetto.pdf</a>' in page


def test_images_are_re_encoded_without_metadata_or_hidden_payload(author_client, db_session, make_call, uploads):
    call = make_call()
    polyglot = png_bytes(text="segreto") + b"<script>alert(1)</script>"
    post_new(author_client, call, files((polyglot, "a.png"), (jpeg_with_gps(), "b.jpeg")))
    png, jpeg = db_session.scalars(sa.select(Proposal)).one().attachments
    png_data = (uploads / png.stored_name).read_bytes()
    assert b"segreto" not in png_data and b"<script>" not in png_data
    with Image.open(io.BytesIO(png_data)) as image:
        assert image.format == "PNG" and image.size == (8, 6)
    jpeg_data = (uploads / jpeg.stored_name).read_bytes()
    assert b"FotoCamera" not in jpeg_data
    with Image.open(io.BytesIO(jpeg_data)) as image:
        assert image.format == "JPEG" and not image.getexif()
    assert jpeg.filename == "b.jpg"


def test_a_pdf_named_jpg_is_kept_as_a_pdf(author_client, db_session, make_call, uploads):
    post_new(author_client, make_call(), files((PDF, "scansione.jpg")))
    attachment = db_session.scalars(sa.select(Attachment)).one()
    assert (attachment.content_type, attachment.filename) == ("application/pdf", "scansione.pdf")


@pytest.mark.parametrize(("data", "name"), [
    (b"<html><script>alert(document.cookie)</script></html>", "foto.png"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "disegno.svg"),
    (b"GIF89a" + b"\x00" * 40, "animazione.gif"),
    (b"%PDF-1.4 without an end", "troncato.pdf"),
    (png_bytes()[:40], "rotta.png"),
    (b"MZ\x90\x00 a program", "programma.pdf"),
])
def test_disguised_or_unknown_files_are_refused_and_nothing_is_stored(author_client, db_session, make_call,
                                                                     uploads, data, name):
    call = make_call()
    response = post_new(author_client, call, files((png_bytes(), "buona.png"), (data, name)))
    assert response.status_code == 422
    assert "non è un'immagine JPEG, PNG o WebP né un PDF" in text_of(response)
    assert "Un orto nel cortile." in response.get_data(as_text=True)  # the text is still in the form
    assert db_session.scalar(sa.select(sa.func.count(Proposal.id))) == 0
    assert db_session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert stored(uploads) == []


def test_an_oversized_file_is_refused(app, author_client, db_session, make_call, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1000)
    response = post_new(author_client, make_call(), files((PDF + b"0" * 2000, "grande.pdf")))
    assert response.status_code == 422
    assert "«grande.pdf» supera la dimensione massima" in text_of(response)
    assert db_session.scalar(sa.select(sa.func.count(Proposal.id))) == 0
    assert stored(uploads) == []


def test_a_request_beyond_the_servers_limit_is_a_clear_413(app, author_client, make_call, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    response = post_new(author_client, make_call(), files((PDF + b"0" * 5000, "enorme.pdf")))
    assert response.status_code == 413 and "File troppo grande" in text_of(response)


def test_too_many_attachments_are_refused(app, client, db_session, make_call, make_proposal, make_user, uploads,
                                          monkeypatch):
    monkeypatch.setitem(app.config, "UPLOADS_PER_PROPOSAL", 2)
    author = make_user()
    login(client, author)
    call = make_call()
    response = post_new(client, call, files((PDF, "1.pdf"), (PDF, "2.pdf"), (PDF, "3.pdf")))
    assert response.status_code == 422 and "al massimo 2 allegati" in text_of(response)
    assert stored(uploads) == []
    # one by one: the third one does not fit either
    draft = make_proposal(call=call, author=author, state=ProposalState.DRAFT)
    edit = {"title": draft.title, "body": draft.body, "theme_id": str(call.themes[0].id), "lab_id": "0",
            "save": "Salva"}
    for expected in (302, 302, 422):
        response = client.post(f"/proposte/{draft.id}/modifica", data={**edit, "attachments": files((PDF, "x.pdf"))},
                               content_type="multipart/form-data")
        assert response.status_code == expected
    assert len(stored(uploads)) == 2


def test_the_author_removes_an_attachment_while_editable(client, db_session, make_call, make_proposal, make_user,
                                                         uploads):
    author = make_user()
    login(client, author)
    call = make_call()
    post_new(client, call, files((PDF, "programma.pdf")))
    proposal = db_session.scalars(sa.select(Proposal)).one()
    attachment = proposal.attachments[0]
    edit_page = text_of(client.get(f"/proposte/{proposal.id}/modifica"))
    assert "Allegati già caricati" in edit_page and "programma.pdf" in edit_page
    login(client, make_user())
    assert client.post(f"/proposte/{proposal.id}/allegati/{attachment.id}/elimina").status_code == 404
    login(client, author)
    response = client.post(f"/proposte/{proposal.id}/allegati/{attachment.id}/elimina")
    assert response.status_code == 302
    assert db_session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert stored(uploads) == []


def test_attachments_of_a_published_proposal_stay(client, db_session, make_proposal, make_user, uploads):
    from civiclab.proposals import attachments

    author = make_user()
    proposal = make_proposal(author=author)
    checked = attachments.CheckedUpload("piano.pdf", "application/pdf", "pdf", PDF)
    attachment = Attachment(proposal_id=proposal.id, filename="piano.pdf", content_type="application/pdf",
                            stored_name=attachments.store(checked), size=len(PDF))
    db_session.add(attachment)
    db_session.commit()
    assert client.get(f"/proposte/{proposal.id}/allegati/{attachment.id}").status_code == 200  # public
    login(client, author)
    assert client.post(f"/proposte/{proposal.id}/allegati/{attachment.id}/elimina").status_code == 403
    assert len(stored(uploads)) == 1


def test_attachments_of_private_proposals_do_not_exist_for_others(client, db_session, make_proposal, make_user,
                                                                  uploads):
    from civiclab.proposals import attachments

    proposal = make_proposal(state=ProposalState.SUBMITTED)
    checked = attachments.CheckedUpload("piano.pdf", "application/pdf", "pdf", PDF)
    attachment = Attachment(proposal_id=proposal.id, filename="piano.pdf", content_type="application/pdf",
                            stored_name=attachments.store(checked), size=len(PDF))
    db_session.add(attachment)
    db_session.commit()
    url = f"/proposte/{proposal.id}/allegati/{attachment.id}"
    assert client.get(url).status_code == 404
    login(client, make_user())
    assert client.get(url).status_code == 404
    other = make_proposal()
    assert client.get(f"/proposte/{other.id}/allegati/{attachment.id}").status_code == 404
    login(client, proposal.author)
    assert client.get(url).status_code == 200


def test_a_hostile_file_name_is_cleaned(author_client, db_session, make_call, uploads):
    post_new(author_client, make_call(), files((PDF, '..\\..\\<b>x</b>"; evil\r\n.pdf')))
    attachment = db_session.scalars(sa.select(Attachment)).one()
    assert "/" not in attachment.filename and "\\" not in attachment.filename and "<" not in attachment.filename
    assert "\r" not in attachment.filename and "\n" not in attachment.filename
    response = author_client.get(f"/proposte/{attachment.proposal_id}/allegati/{attachment.id}")
    assert response.status_code == 200 and "\n" not in response.headers["Content-Disposition"]
