"""Every table that holds a user's id is in "I miei dati", or says here why it is not.

The test reads the SQLAlchemy metadata (the schema the migrations build): a new table with a
foreign key to users.id fails it until it is added below, either with the export section that
holds its rows about the user, or with the reason its user ids are not that user's personal data.
A section named here must exist in the export.
"""
import pytest

from civiclab.extensions import db
from tests.conftest import login


def not_exported(reason):
    return ("not exported", reason)


# table -> the export section(s) holding its rows about the user, or not_exported(why).
# ("profile", "memberships", "roles" are the base sections of accounts/services.export_user_data.)
COVERAGE = {
    "organisations": not_exported("verification_decided_by_id: the staff member who verified it, not their data"),
    "upload_records": "upload_records",
    "user_sessions": "sessions",
    "access_tokens": "access_tokens",
    "verified_identities": "verified_identity",  # the fiscal number only masked (its hash stays out)
    "city_staff": "roles",
    "lab_facilitators": "roles",
    "memberships": "memberships",  # decided_by_id: the staff member who decided, not their data
    "notification_preferences": "notification_preferences",
    "notifications": "notifications",
    "user_blocks": "blocks",  # blocked_by_id, lifted_by_id: the moderators' acts
    "registrations": "event_registrations",
    "proposals": "proposals",
    "proposal_supports": "supports",
    "comments": "comments",  # hidden_by_id: the moderator's act
    "comment_votes": "comment_votes",
    "follows": "follows",
    "reports": "reports",  # resolved_by_id: the moderator's act
    "room_messages": "room_messages",  # deleted_by_id: the moderator's act
    "room_members": "room_memberships",
    "room_mutes": "room_mutes",  # muted_by_id: the moderator's act
    "room_reads": "room_read_markers",
    "events": not_exported("created_by_id: who created the event, the lab's work record"),
    "projects": not_exported("created_by_id: who created the project, the city's work record"),
    "calls": not_exported("created_by_id: who opened the call, the city's work record"),
    "rooms": not_exported("created_by_id, locked_by_id: staff acts on a room"),
    "proposal_transitions": not_exported(
        "actor_id: who moved a proposal; an author's own moves are in the 'proposals' section"),
    "audit_entries": not_exported("actor_id: the staff member's acts, the city's work record"),
    "outcomes": not_exported("created_by_id: the staff member who published it, the city's work record"),
    "outcome_attachments": not_exported("created_by_id: the staff member who attached it, the city's work record"),
    "outcome_proposals": not_exported("created_by_id: who linked the adopted proposal, the city's work record; "
                                      "the author's proposal is in 'proposals'"),
    "financial_snapshots": not_exported("created_by_id: who entered the amounts, the city's work record"),
    "moderation_actions": not_exported(
        "the moderators' log; what it records about a user is in 'blocks', 'room_mutes', 'comments' "
        "(hidden) and 'room_messages' (deleted)"),
}


def tables_with_a_user_id():
    return sorted(
        table.name for table in db.metadata.tables.values()
        if any(fk.column.table.name == "users" and fk.column.name == "id" for fk in table.foreign_keys)
    )


def test_every_table_holding_a_user_id_is_covered_by_the_export(app):
    missing = [name for name in tables_with_a_user_id() if name not in COVERAGE]
    assert missing == [], f"tables with a users.id foreign key and no export section: {missing}"


def test_the_coverage_names_no_table_that_is_gone(app):
    assert sorted(set(COVERAGE) - set(tables_with_a_user_id())) == []


@pytest.fixture
def exported_sections(client, make_user):
    login(client, make_user())
    return set(client.get("/account/i-miei-dati.json").get_json())


def test_every_section_named_in_the_coverage_is_in_the_export(exported_sections):
    named = {section for section in COVERAGE.values() if isinstance(section, str)}
    assert sorted(named - exported_sections) == []
