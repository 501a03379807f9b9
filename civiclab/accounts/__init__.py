"""Accounts: users, organisations and memberships, roles, consent, sign-in."""
