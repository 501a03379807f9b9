"""Programme -> axis -> action -> project, and each city's plan with its budget per axis.

Amounts are integer euro cents. The four financial-progress amounts of a project sheet:
programmato (planned) >= ammesso a finanziamento (admitted) >= giuridicamente vincolante
(legally committed) >= erogato (paid out); the database holds that order too.
"""
import re

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db

# The source of the snapshots staff write on the project form (stored as is, shown translated).
MANUAL_SOURCE = "manuale"

# CUP, Codice Unico di Progetto: 15 characters, e.g. F39G16000350007.
CUP_PATTERN = re.compile(r"^[A-Z][0-9]{2}[A-Z][0-9A-Z]{11}$")


class Programme(db.Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)  # e.g. 2014IT16M2OP004
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    period: Mapped[str] = mapped_column(sa.String(20))  # "2014-2020"
    description: Mapped[str] = mapped_column(sa.Text, default="")

    axes: Mapped[list["Axis"]] = relationship(back_populates="programme", order_by="Axis.number")


class Axis(db.Model):
    """An Asse (priority) of a programme, e.g. 1 Agenda digitale metropolitana."""

    __tablename__ = "axes"
    __table_args__ = (sa.UniqueConstraint("programme_id", "number", name="uq_axes_programme_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    programme: Mapped[Programme] = relationship(back_populates="axes")
    actions: Mapped[list["Action"]] = relationship(back_populates="axis", order_by="Action.code")


class Action(db.Model):
    """An Azione of an axis, e.g. 3.3.1."""

    __tablename__ = "actions"
    __table_args__ = (sa.UniqueConstraint("axis_id", "code", name="uq_actions_axis_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    axis_id: Mapped[int] = mapped_column(sa.ForeignKey("axes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(240), default="")

    axis: Mapped[Axis] = relationship(back_populates="actions")

    @property
    def label(self):
        label = _("Azione %(code)s", code=self.code)
        return f"{label} – {self.name}" if self.name else label


class CityPlan(db.Model):
    """A city's Piano Operativo under a programme: its total and its budget per axis.

    The total may exceed the sum of the axes (Bologna: the performance reserve); the
    difference is shown, never spread over the axes.
    """

    __tablename__ = "city_plans"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "city_id", name="uq_city_plans_programme_city"),
        sa.CheckConstraint("total_cents >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    total_cents: Mapped[int] = mapped_column(sa.BigInteger)
    description: Mapped[str] = mapped_column(sa.Text, default="")

    programme: Mapped[Programme] = relationship()
    city = relationship("City")
    budgets: Mapped[list["AxisBudget"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def axes_total_cents(self):
        return sum(b.amount_cents for b in self.budgets)

    @property
    def unallocated_cents(self):
        """What the total holds beyond the axes (e.g. the performance reserve)."""
        return self.total_cents - self.axes_total_cents


class AxisBudget(db.Model):
    __tablename__ = "axis_budgets"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "axis_id", name="uq_axis_budgets_plan_axis"),
        sa.CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("city_plans.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[int] = mapped_column(sa.ForeignKey("axes.id", ondelete="CASCADE"), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)

    plan: Mapped[CityPlan] = relationship(back_populates="budgets")
    axis: Mapped[Axis] = relationship(lazy="joined")


class Project(db.Model):
    """A project sheet as the municipality publishes it."""

    __tablename__ = "projects"
    __table_args__ = (
        sa.CheckConstraint("erogato_cents >= 0", name="erogato_not_negative"),
        # The order holds unless an import flagged the amounts as they were published
        # ("importi incoerenti": other funds complete the financing); never silently fixed.
        sa.CheckConstraint("amounts_inconsistent OR vincolante_cents >= erogato_cents", name="vincolante_ge_erogato"),
        sa.CheckConstraint("amounts_inconsistent OR ammesso_cents >= vincolante_cents", name="ammesso_ge_vincolante"),
        sa.CheckConstraint("amounts_inconsistent OR programmato_cents >= ammesso_cents",
                           name="programmato_ge_ammesso"),
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                           name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a project of no single municipality (OpenCoesione's "TUTTI I COMUNI"): `territory`
    # then says where it is, and only administrators edit it.
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id", ondelete="RESTRICT"), index=True)
    territory: Mapped[str] = mapped_column(sa.String(200), default="")  # as the source names it
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)  # e.g. BO3.3.1.b
    title: Mapped[str] = mapped_column(sa.String(300))
    # Not unique: one CUP can belong to several local projects (the same works financed under two
    # programmes); OpenCoesione's key is the local project code.
    cup: Mapped[str | None] = mapped_column(sa.String(15), index=True)
    oc_code: Mapped[str | None] = mapped_column(sa.String(80), unique=True)  # COD_LOCALE_PROGETTO
    oc_link: Mapped[str] = mapped_column(sa.String(300), default="")  # its OpenCoesione page
    rup: Mapped[str] = mapped_column(sa.String(160), default="")  # Responsabile Unico del Procedimento
    implementing_body: Mapped[str] = mapped_column(sa.String(200), default="")  # Soggetto attuatore
    start_date: Mapped[object | None] = mapped_column(sa.Date)
    end_date: Mapped[object | None] = mapped_column(sa.Date)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    programmato_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    ammesso_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    vincolante_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    erogato_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    amounts_inconsistent: Mapped[bool] = mapped_column(default=False)  # "importi incoerenti"
    published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    city = relationship("City")
    action: Mapped[Action] = relationship()
    snapshots: Mapped[list["FinancialSnapshot"]] = relationship(
        back_populates="project", order_by="(FinancialSnapshot.as_of, FinancialSnapshot.id)", viewonly=True
    )

    @property
    def place(self):
        """Where the project is, as a list shows it: its city, else its territory ("Tutti i comuni
        – Calabria")."""
        return self.city.name if self.city is not None else (self.territory or "—")

    def percent(self, cents):
        """Share of the programmed amount, 0-100 with one decimal, for the progress bar.

        Rounded down, so one cent short of the whole never reads as 100 %.
        """
        if not self.programmato_cents:
            return 0.0
        return (1000 * cents // self.programmato_cents) / 10


class FinancialSnapshot(db.Model):
    """The four amounts of a project on a day, with where they come from ("manuale",
    "OpenCoesione 2024-08-31"): the project's financial progress over time. The project row
    holds the latest; editing the amounts or importing a release adds a snapshot (one per
    project, day and source: importing the same release twice changes nothing)."""

    __tablename__ = "financial_snapshots"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "as_of", "source", name="uq_financial_snapshots_project_day_source"),
        sa.CheckConstraint("erogato_cents >= 0 AND vincolante_cents >= 0 AND ammesso_cents >= 0 "
                           "AND programmato_cents >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[object] = mapped_column(sa.Date)
    source: Mapped[str] = mapped_column(sa.String(120))
    programmato_cents: Mapped[int] = mapped_column(sa.BigInteger)
    ammesso_cents: Mapped[int] = mapped_column(sa.BigInteger)
    vincolante_cents: Mapped[int] = mapped_column(sa.BigInteger)
    erogato_cents: Mapped[int] = mapped_column(sa.BigInteger)
    amounts_inconsistent: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="snapshots")

    @property
    def source_label(self):
        """The source as a page shows it: "manuale" translated, an import's name as it is."""
        return _("manuale") if self.source == MANUAL_SOURCE else self.source

    @property
    def is_manual(self):
        return self.source == MANUAL_SOURCE

    def percent(self, cents):
        """Share of this snapshot's programmed amount, rounded down to one decimal."""
        if not self.programmato_cents:
            return 0.0
        return (1000 * cents // self.programmato_cents) / 10
