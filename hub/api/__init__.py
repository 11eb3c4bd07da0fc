"""The Starlette app: mounting the GraphQL schema, and the access seam (who reads what).

``hub.api.app.create_app(settings, development=False)`` builds the app; ``hub.api.access``
holds the viewer the schema asks before it shows personal data. Nothing is imported here, so
the schema can import the access module without pulling in the app.
"""
