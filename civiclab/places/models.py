"""Cities, labs, and the roles tying staff to a city and facilitators to a lab."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db


class City(db.Model):
    """An urban authority: a capoluogo, with its metropolitan area where there is one."""

    __tablename__ = "cities"
    __table_args__ = (
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population_not_negative"),
        sa.CheckConstraint(
            "municipalities_count IS NULL OR municipalities_count >= 1", name="municipalities_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    region: Mapped[str] = mapped_column(sa.String(80))
    # Municipalities of the metropolitan city (Palermo: 82), when it is one.
    municipalities_count: Mapped[int | None]
    population: Mapped[int | None]  # of the metropolitan area where given, else of the city
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    labs: Mapped[list["Lab"]] = relationship(back_populates="city", order_by="Lab.name")

    def __repr__(self):
        return f"<City {self.slug}>"


class Lab(db.Model):
    """A Laboratorio aperto: an ICT-equipped public space where the city is co-designed."""

    __tablename__ = "labs"
    __table_args__ = (
        sa.UniqueConstraint("city_id", "slug", name="uq_labs_city_slug"),
        sa.CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude_range"),
        sa.CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id", ondelete="RESTRICT"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    name: Mapped[str] = mapped_column(sa.String(160))
    venue: Mapped[str] = mapped_column(sa.String(160), default="")
    theme: Mapped[str] = mapped_column(sa.String(240), default="")
    address: Mapped[str] = mapped_column(sa.String(240), default="")
    latitude: Mapped[object | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[object | None] = mapped_column(sa.Numeric(9, 6))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    ict_facilities: Mapped[str] = mapped_column(sa.Text, default="")
    accessibility: Mapped[str] = mapped_column(sa.Text, default="")
    opening_hours: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    city: Mapped[City] = relationship(back_populates="labs")

    def __repr__(self):
        return f"<Lab {self.slug}>"


class CityStaff(db.Model):
    """Municipality staff: publishes the city's projects and labs, appoints facilitators."""

    __tablename__ = "city_staff"
    __table_args__ = (sa.UniqueConstraint("user_id", "city_id", name="uq_city_staff_user_city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", back_populates="staff_roles")
    city: Mapped[City] = relationship()


class LabFacilitator(db.Model):
    """A facilitator runs the events, moderation and rooms of one lab."""

    __tablename__ = "lab_facilitators"
    __table_args__ = (sa.UniqueConstraint("user_id", "lab_id", name="uq_lab_facilitators_user_lab"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[int] = mapped_column(sa.ForeignKey("labs.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", back_populates="facilitator_roles")
    lab: Mapped[Lab] = relationship()
