"""Forms of follows: the follow and unfollow buttons."""
from flask_wtf import FlaskForm
from wtforms import HiddenField


class FollowForm(FlaskForm):
    next = HiddenField()  # the page the button was on, to go back to
