"""The HTTP layer: Flask blueprints that read the request, ask the application layer
(:mod:`service.answers`) and write its answer or problem."""
