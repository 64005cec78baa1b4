"""The HTTP layer: Flask blueprints that parse with schemas, call rules, serialise."""
