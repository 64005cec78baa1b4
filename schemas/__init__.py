"""marshmallow schemas: the wire format, one module per resource.

Every schema rejects unknown fields (``Meta.unknown = RAISE``) so a typo in a field name is
an error naming that field, never silently ignored.
"""
