"""The form of each user's mail preferences: one choice of delivery per kind of news."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from civiclab.notifications.models import PREFERENCE_KINDS, Delivery, preference_label


class PreferencesForm(FlaskForm):
    """Filled with one RadioField per kind of PREFERENCE_KINDS by `preferences_form`."""

    def choices(self):
        """{kind: Delivery} as chosen."""
        return {kind: Delivery(self[kind].data) for kind in PREFERENCE_KINDS}


def preferences_form(current, **kwargs):
    """The form for PREFERENCE_KINDS, showing `current` ({kind: Delivery}) until something is posted."""
    fields = {
        kind: RadioField(preference_label(kind), choices=[SelectChoice(d.value, d.label) for d in Delivery],
                         validators=[InputRequired()])
        for kind in PREFERENCE_KINDS
    }
    form_class = type("KindsPreferencesForm", (PreferencesForm,), fields)
    return form_class(data={kind: delivery.value for kind, delivery in current.items()}, **kwargs)
