"""Persistence: where reference features live and how they are seeded from ``geodata/``."""
