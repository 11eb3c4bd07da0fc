"""The Starlette app and access control: who reads what, why, and the trail it leaves.

    app.py        ``create_app(settings)``: token -> viewer -> purpose -> execution -> audit
                  -> response, the allow-list, the Data Docs behind a grant
    access.py     the viewer the schema asks before it shows a gated field
    policy.py     the policy file (``policy.yaml``): roles, grants, field rules, tags, scope
    tokens.py     API tokens: create, revoke, list, and the viewer of a request's token
    purpose.py    the ``X-Hub-Purpose`` header
    audit.py      the read log of a request and the append-only, hash-chained audit trail
    allowlist.py  the published operations production runs: by text, canonical form or hash
    health.py     the database under the app: checked at start-up, 503 while it is gone
    graphiql.py   GraphiQL for development, its scripts served from ``static/vendor/``
    limits.py     token buckets per token, slots for subscriptions
    guard.py      what one server process holds against starvation, and the 413/429/503s
    middleware.py the body cap and the security headers on every response

Nothing is imported here, so the schema can import the access module without pulling in the
app. ``docs/access.md`` describes the whole.
"""
