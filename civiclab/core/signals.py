"""Blinker signals services emit; notifications, sockets and the audit log listen."""
from blinker import Namespace

signals = Namespace()

user_registered = signals.signal("user-registered")
user_confirmed = signals.signal("user-confirmed")
user_deleted = signals.signal("user-deleted")
membership_requested = signals.signal("membership-requested")
membership_approved = signals.signal("membership-approved")
project_saved = signals.signal("project-saved")
lab_saved = signals.signal("lab-saved")
