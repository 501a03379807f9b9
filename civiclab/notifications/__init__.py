"""In-app notifications: the bell in the header and the notifications page."""
