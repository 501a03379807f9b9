"""Programmes: PON Metro and its kin, their axes and actions, city plans and projects."""
