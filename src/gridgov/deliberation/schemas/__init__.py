"""The JSON shapes (Pydantic schemas) of the deliberation API, one module per area:
``matters``, ``notices``, ``elections``, ``discussion``."""
