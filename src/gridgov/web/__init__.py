"""The web layer: app factory, dependencies, pages, templates, static files, catalogues."""
