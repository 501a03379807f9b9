"""Realtime discussion rooms: one beside every event, project and lab, plus labs' working rooms."""
