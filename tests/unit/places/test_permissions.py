"""The permission functions of places and programmes, one role at a time."""
from flask_login import AnonymousUserMixin

from civiclab.places.permissions import (
    can_appoint_facilitators,
    can_appoint_staff,
    can_edit_lab,
    can_manage_anything,
    can_manage_city,
)
from civiclab.programmes.permissions import can_create_project, can_edit_project, can_view_project


def test_administrators_manage_every_city(make_user, make_city, make_lab, make_project):
    admin = make_user(is_admin=True)
    city = make_city()
    assert can_manage_city(admin, city)
    assert can_edit_lab(admin, make_lab(city=city))
    assert can_edit_project(admin, make_project(city=city))
    assert can_appoint_staff(admin)
    assert can_manage_anything(admin)


def test_staff_manage_their_own_city_only(make_staff, make_city, make_lab, make_project):
    home, elsewhere = make_city(), make_city()
    staff = make_staff(home)
    assert can_manage_city(staff, home) and not can_manage_city(staff, elsewhere)
    assert can_edit_lab(staff, make_lab(city=home)) and not can_edit_lab(staff, make_lab(city=elsewhere))
    assert can_edit_project(staff, make_project(city=home))
    assert not can_edit_project(staff, make_project(city=elsewhere))
    assert can_create_project(staff, home) and not can_create_project(staff, elsewhere)
    assert can_appoint_facilitators(staff, home) and not can_appoint_facilitators(staff, elsewhere)
    assert not can_appoint_staff(staff)


def test_facilitators_and_participants_manage_nothing(make_facilitator, make_user, make_lab, make_project):
    lab = make_lab()
    project = make_project(city=lab.city)
    for user in (make_facilitator(lab), make_user(), AnonymousUserMixin()):
        assert not can_manage_city(user, lab.city)
        assert not can_edit_lab(user, lab)
        assert not can_edit_project(user, project)
        assert not can_appoint_facilitators(user, lab.city)
        assert not can_appoint_staff(user)
        assert not can_manage_anything(user)


def test_drafts_are_seen_only_by_who_may_edit_them(make_staff, make_user, make_project):
    draft = make_project(published=False)
    assert not can_view_project(make_user(), draft)
    assert not can_view_project(AnonymousUserMixin(), draft)
    assert can_view_project(make_staff(draft.city), draft)
