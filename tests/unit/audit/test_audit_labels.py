"""Every action the code records has a readable label on the log's page."""
import re
from pathlib import Path

from civiclab.audit.labels import ACTION_LABELS, detail_text

PACKAGE = Path(__file__).resolve().parents[3] / "civiclab"
# audit(actor, "domain.verb", …), and the tables of actions services pick from
NAMED = re.compile(r'"((?:[a-z_]+)\.(?:[a-z_]+))"')


def actions_named_in_the_code():
    found = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"audit\(\s*[^,]+,\s*(\"[a-z_]+\.[a-z_]+\")", text):
            found.add(call.group(1).strip('"'))
    for path in (PACKAGE / "moderation" / "services.py", PACKAGE / "proposals" / "services.py"):
        for table in re.finditer(r"(?:AUDITED|STAFF_MOVES) = \{(.*?)\n\}", path.read_text(encoding="utf-8"), re.DOTALL):
            found |= {name for name in NAMED.findall(table.group(1)) if "." in name}
    return found


def test_every_recorded_action_has_an_italian_label():
    found = actions_named_in_the_code()
    assert len(found) > 30
    assert sorted(found - set(ACTION_LABELS)) == []


def test_details_read_as_words_not_as_python():
    assert detail_text({"asse 1": "€ 10,00", "asse 2": "€ 2,00"}) == "asse 1: € 10,00; asse 2: € 2,00"
    assert detail_text(["title", "summary"]) == "title, summary"
    assert detail_text(None) == ""
