"""Who hears about proposals, replies and followed news: listeners on the co-design signals."""


def connect_listeners():
    """Connect the listeners (filled in with the follows and notification preferences work)."""
