"""Demo data built from the seeds: programmes, cities, labs, Bologna's plan, BO3.3.1.b, demo accounts.

DEVELOPMENT ONLY. The demo accounts all share the published password `civiclab-demo`:
admin@example.org (administrator), comune.bologna@example.org (municipality staff of Bologna),
facilitatore@example.org (facilitator of the Bologna lab), cittadino@example.org (citizen),
scuola@example.org (a teacher acting for a demo school), scuola2@example.org (a teacher of a second
school, to walk the waiting list of journey 1), impresa@example.org (a business),
terzosettore@example.org (a third-sector body). Anyone who reads the README can sign in with them,
so seed_demo() refuses to run on a production app (HTTPS cookies, or CIVICLAB_ENV=production)
unless it is forced: `flask --app wsgi seed-demo --force`, for a throwaway staging copy only.

Idempotent: every row is looked up by its natural key (programme code, city slug, project code,
user email…) and created only when missing; what exists is left exactly as it is, so a second
run changes nothing and staff edits made after the first run survive. The content itself lives
in civiclab/demo_data.py; each domain's part of it in its demo.py (events, proposals, rooms, outcomes). The OpenCoesione CSV in the shared data is not imported here: that is
a later issue.
"""
import os
from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask import current_app

from civiclab import demo_data as data
from civiclab.accounts.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationVerification,
    ParticipantType,
    User,
)
from civiclab.comments.models import Comment, CommentVote, Stance
from civiclab.core.sanitize import render_markdown
from civiclab.core.time import utcnow
from civiclab.events.demo import seed_events
from civiclab.extensions import db
from civiclab.follows.models import Follow
from civiclab.outcomes.demo import seed_outcomes
from civiclab.places.models import City, CityStaff, Lab, LabFacilitator
from civiclab.places.services import slugify
from civiclab.programmes.models import Action, Axis, AxisBudget, CityPlan, Programme, Project
from civiclab.proposals.demo import BUSINESS, CITIZEN, SCHOOL, THIRD_SECTOR, seed_codesign
from civiclab.rooms.demo import seed_rooms

DEMO_PASSWORD = "civiclab-demo"

# (email, display name, participant type, organisation name or None, administrator?)
DEMO_ACCOUNTS = [
    ("admin@example.org", "Amministrazione CivicLab (demo)", ParticipantType.CITTADINO, None, True),
    ("comune.bologna@example.org", "Comune di Bologna (demo)", ParticipantType.ENTE_PUBBLICO,
     "Comune di Bologna", False),
    ("facilitatore@example.org", "Facilitatore Laboratorio Bologna (demo)", ParticipantType.CITTADINO,
     None, False),
    ("cittadino@example.org", "Cittadina demo", ParticipantType.CITTADINO, None, False),
    ("scuola@example.org", "Docente demo", ParticipantType.SCUOLA, "Scuola demo CivicLab", False),
    ("scuola2@example.org", "Docente demo (seconda scuola)", ParticipantType.SCUOLA, "Liceo demo CivicLab", False),
    ("impresa@example.org", "Impresa demo", ParticipantType.IMPRESA, "Impresa demo CivicLab", False),
    ("terzosettore@example.org", "Associazione demo", ParticipantType.TERZO_SETTORE,
     "Associazione demo CivicLab", False),
]


class DemoRefused(click.ClickException):
    """seed_demo() on a production app: the CLI prints the message and exits with status 1."""


def is_production(app):
    return os.environ.get("CIVICLAB_ENV") == "production" or bool(app.config.get("SESSION_COOKIE_SECURE"))


class _Tally:
    """How many rows of each kind the run found, and how many it created."""

    def __init__(self):
        self.found, self.created = {}, {}

    def get_or_create(self, label, model, lookup, **defaults):
        obj = db.session.scalar(sa.select(model).filter_by(**lookup))
        self.found[label] = self.found.get(label, 0) + 1
        if obj is None:
            obj = model(**lookup, **defaults)
            db.session.add(obj)
            db.session.flush()
            self.created[label] = self.created.get(label, 0) + 1
        return obj

    def lines(self):
        return [f"{label}: {count} ({self.created.get(label, 0)} creati ora)"
                for label, count in self.found.items()]


def seed_demo(force=False):
    """Load the demo data; returns summary lines. Flushes only: the caller commits."""
    if is_production(current_app) and not force:
        raise DemoRefused(
            "Questa app è configurata per la produzione: i dati demo creano account con una "
            "password pubblica. Usa --force solo su una copia di prova."
        )
    tally = _Tally()
    pon_metro = _programme(tally, data.PON_METRO, data.PON_METRO_AXES, [])
    _programme(tally, data.PN_METRO_PLUS, data.PN_METRO_PLUS_AXES, data.PN_METRO_PLUS_ACTIONS)
    cities = _cities(tally)
    labs = _labs(tally, cities)
    _bologna_plan(tally, pon_metro, cities["bologna"])
    project = _project(tally, pon_metro, cities["bologna"])
    _accounts(tally, cities["bologna"], labs["bologna"])
    seed_events(tally, labs)
    _discuss(seed_codesign(tally, project, labs["bologna"]))
    seed_rooms(tally, labs)
    seed_outcomes(tally, project, _amounts(data.BO331B))
    return tally.lines() + [
        f"Account demo (SOLO SVILUPPO), password «{DEMO_PASSWORD}»: "
        + ", ".join(email for email, *_rest in DEMO_ACCOUNTS),
    ]


def _programme(tally, fields, axes, actions):
    programme = tally.get_or_create(
        "Programmi", Programme, {"code": fields["code"]},
        slug=fields["slug"], name=fields["name"], period=fields["period"], description=fields["description"],
    )
    by_number = {}
    for number, name, description in axes:
        by_number[number] = tally.get_or_create(
            "Assi", Axis, {"programme_id": programme.id, "number": number}, name=name, description=description,
        )
    for axis_number, code, name in actions:
        tally.get_or_create("Azioni", Action, {"axis_id": by_number[axis_number].id, "code": code}, name=name)
    return programme


def _cities(tally):
    cities = {}
    for name, region, municipalities in data.PON_METRO_CITIES:
        extra = {}
        if name == "Palermo":
            extra = {"population": data.PALERMO_POPULATION, "description": data.PALERMO_DESCRIPTION}
        cities[slugify(name)] = tally.get_or_create(
            "Città", City, {"slug": slugify(name)}, name=name, region=region,
            municipalities_count=municipalities, **extra,
        )
    for name, *_lab in data.EMILIA_ROMAGNA_LABS:
        slug = slugify(name)
        if slug not in cities:
            cities[slug] = tally.get_or_create(
                "Città", City, {"slug": slug}, name=name, region="Emilia-Romagna",
                description=data.EMILIA_ROMAGNA_NOTE,
            )
    return cities


def _labs(tally, cities):
    labs = {}
    for city_name, venue, theme, address in data.EMILIA_ROMAGNA_LABS:
        city = cities[slugify(city_name)]
        name = f"Laboratorio aperto di {city_name}"
        intro = f"Il Laboratorio aperto di {city_name} ha sede in {venue}"
        intro += f" e si occupa di {theme}." if theme else "."
        labs[city.slug] = tally.get_or_create(
            "Laboratori", Lab, {"city_id": city.id, "slug": slugify(name)},
            name=name, venue=venue, theme=theme,
            address=address or f"{venue}, {city_name}",
            description=f"{intro}\n{data.LAB_NETWORK_TEXT}",
        )
    return labs


def _axes(programme):
    return db.session.scalars(sa.select(Axis).filter_by(programme_id=programme.id).order_by(Axis.number)).all()


def _bologna_plan(tally, programme, bologna):
    plan = tally.get_or_create(
        "Piani operativi", CityPlan, {"programme_id": programme.id, "city_id": bologna.id},
        total_cents=data.BOLOGNA_PLAN["total_cents"], description=data.BOLOGNA_PLAN["description"],
    )
    for axis in _axes(programme):
        tally.get_or_create(
            "Budget per asse", AxisBudget, {"plan_id": plan.id, "axis_id": axis.id},
            amount_cents=data.BOLOGNA_PLAN["axes"][axis.number],
        )
    return plan


def _project(tally, programme, bologna):
    fields = dict(data.BO331B)
    axis_number = fields.pop("axis_number")
    axis = next(axis for axis in _axes(programme) if axis.number == axis_number)
    action = tally.get_or_create("Azioni", Action, {"axis_id": axis.id, "code": fields.pop("action_code")})
    code = fields.pop("code")
    fields["start_date"] = date(*fields["start_date"])
    fields["end_date"] = date(*fields["end_date"])
    return tally.get_or_create("Progetti", Project, {"code": code},
                               city_id=bologna.id, action_id=action.id, **fields)


def _amounts(fields):
    """The four amounts of a project sheet, in cents: programmato, ammesso, vincolante, erogato."""
    return tuple(fields[f"{kind}_cents"] for kind in ("programmato", "ammesso", "vincolante", "erogato"))


def _accounts(tally, bologna, bologna_lab):
    now = utcnow()
    users = {}
    for email, display_name, kind, organisation_name, admin in DEMO_ACCOUNTS:
        user = db.session.scalar(sa.select(User).filter_by(email=email))
        tally.found["Account demo"] = tally.found.get("Account demo", 0) + 1
        if user is None:
            user = User(email=email, display_name=display_name, participant_type=kind, is_admin=admin,
                        locale="it", email_confirmed_at=now, privacy_consent_at=now)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
            tally.created["Account demo"] = tally.created.get("Account demo", 0) + 1
        users[email] = user
        if organisation_name:
            organisation = tally.get_or_create(
                "Organizzazioni", Organisation,
                {"kind": kind, "name_key": Organisation.key_for(organisation_name)},
                name=organisation_name, city_name="Bologna", city_id=bologna.id,
                # Verified as Bologna's staff would have: the demo organisations act as such.
                verification=OrganisationVerification.VERIFIED, verification_decided_at=now,
            )
            tally.get_or_create(
                "Adesioni", Membership, {"organisation_id": organisation.id, "user_id": user.id},
                status=MembershipStatus.ACTIVE, decided_at=now,
            )
    tally.get_or_create("Ruoli", CityStaff,
                        {"user_id": users["comune.bologna@example.org"].id, "city_id": bologna.id})
    tally.get_or_create("Ruoli", LabFacilitator,
                        {"user_id": users["facilitatore@example.org"].id, "lab_id": bologna_lab.id})
    # The role collections were loaded before the roles existed: read them again.
    for user in users.values():
        db.session.expire(user, ["staff_roles", "facilitator_roles"])


# ---- the co-design's discussion: follows and comments on the demo proposals -----------------

def comment(author, body, stance=None, up=(), down=(), replies=()):
    return {"author": author, "body": body, "stance": stance, "up": up, "down": down, "replies": replies}


# The threads on the published proposals of the demo's supports call (civiclab/proposals/demo.py),
# by the proposal's title.
THREADS = {
    "Un open day dei progetti costruiti dai ragazzi": [
        comment(CITIZEN, "Bellissima idea: mio figlio ne parlerebbe per settimane.", Stance.IN_FAVOUR,
                up=(BUSINESS, THIRD_SECTOR), replies=[
                    comment(SCHOOL, "Grazie! Pensavamo a un sabato mattina, per chi lavora.", up=(CITIZEN,),
                            replies=[comment(CITIZEN, "Il sabato mattina è perfetto.")]),
                ]),
        comment(BUSINESS, "Come impresa possiamo mettere a disposizione due tecnici per i banchi.",
                Stance.IN_FAVOUR, up=(SCHOOL,))],
    "Tirocini brevi nelle imprese per gli studenti dei tecnici": [
        comment(THIRD_SECTOR, "Chiediamo che siano aperti anche ai ragazzi seguiti dai servizi sociali.",
                Stance.NEUTRAL, up=(CITIZEN, SCHOOL), replies=[
                    comment(BUSINESS, "Sì, possiamo riservare dei posti.", replies=[
                        comment(THIRD_SECTOR, "Allora ci contiamo: vi scriviamo per i dettagli.")]),
                ])],
    "Un doposcuola di quartiere con i volontari": [
        comment(SCHOOL, "Molti nostri studenti ne avrebbero bisogno.", Stance.IN_FAVOUR, up=(CITIZEN,)),
        comment(CITIZEN, "Chi forma i volontari? Serve qualcuno con esperienza.", Stance.NEUTRAL,
                replies=[comment(THIRD_SECTOR, "Un corso di 12 ore con i nostri educatori, prima di iniziare.",
                                 up=(CITIZEN, SCHOOL))])],
    "Una festa di strada per presentare il Laboratorio": [
        comment(BUSINESS, "I costi della sicurezza per un evento in strada sono alti.", Stance.AGAINST,
                up=(SCHOOL,), down=(CITIZEN,), replies=[
                    comment(CITIZEN, "Si può fare in un cortile, senza chiudere la strada.", up=(THIRD_SECTOR,))])],
    "Sportello digitale per le famiglie in biblioteca": [
        comment(THIRD_SECTOR, "Utile anche per gli anziani che seguiamo.", Stance.IN_FAVOUR)],
    "Un hackathon civico sui dati aperti del PON Metro": [
        comment(CITIZEN, "Si può partecipare anche senza saper programmare?", replies=[
            comment(BUSINESS, "Certo: servono anche persone che conoscono il quartiere e i suoi bisogni.",
                    up=(CITIZEN,))])],
}


def _discuss(proposals):
    """For each demo proposal created now: its author follows it (as submitting does, to hear of
    decisions and comments), and a published one gets its thread, written once supports opened.
    Votes match the comments' counters, comments_count every comment, replies too."""
    emails = {CITIZEN, SCHOOL, BUSINESS, THIRD_SECTOR}
    users = {user.email: user for user in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    for proposal in proposals:
        db.session.add(Follow(user_id=proposal.author_id, proposal_id=proposal.id, created_at=proposal.created_at))
        if proposal.title in THREADS:
            _comments(proposal, THREADS[proposal.title], users, proposal.call.supports_from)
    db.session.flush()


def _comments(proposal, threads, users, since):
    """Threads as THREADS writes them."""
    hours = iter(range(1, 1000, 3))

    def post(entry, parent):
        item = Comment(
            proposal_id=proposal.id, author_id=users[entry["author"]].id,
            parent_id=parent.id if parent else None,
            root_id=(parent.root_id or parent.id) if parent else None,
            depth=parent.depth + 1 if parent else 0,
            body=entry["body"], body_html=render_markdown(entry["body"]), stance=entry["stance"],
            upvotes=len(entry["up"]), downvotes=len(entry["down"]),
            created_at=since + timedelta(hours=next(hours)),
        )
        db.session.add(item)
        db.session.flush()
        db.session.add_all(CommentVote(comment_id=item.id, user_id=users[email].id, value=value)
                           for emails, value in ((entry["up"], 1), (entry["down"], -1)) for email in emails)
        return 1 + sum(post(reply, item) for reply in entry["replies"])

    proposal.comments_count = sum(post(entry, None) for entry in threads)
