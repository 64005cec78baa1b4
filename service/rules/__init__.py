"""Zones, features and verdicts over the geodesy core (pure: no Flask, no database)."""
