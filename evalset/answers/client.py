"""A GraphQL client as a department's script would be: POST JSON, read ``data`` or the errors."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any


class AnswersError(Exception):
    """The hub could not be asked, or refused; the message says which and why, in one line."""


@dataclass(frozen=True, slots=True)
class Client:
    url: str
    token: str | None = None
    purpose: str = "evalset answers check"
    timeout: float = 120.0

    def run(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """``data`` of one request; AnswersError on a transport error or any GraphQL error."""
        body = json.dumps({"query": query, "variables": variables}).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Purpose": urllib.parse.quote(self.purpose),
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise AnswersError(f"{self.url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise AnswersError(f"{self.url}: cannot reach the hub ({exc})") from None
        except ValueError as exc:
            raise AnswersError(f"{self.url}: the answer is not JSON ({exc})") from None
        if payload.get("errors"):
            first = payload["errors"][0]
            code = (first.get("extensions") or {}).get("code", "")
            raise AnswersError(f"{self.url}: {code} {first.get('message', '')}".strip())
        data = payload.get("data")
        if not isinstance(data, dict):
            raise AnswersError(f"{self.url}: an answer without data")
        return data

    def pages(self, query: str, variables: dict[str, Any], field: str) -> list[dict[str, Any]]:
        """Every node of a connection, following ``endCursor`` (pages of 100, the limit)."""
        nodes: list[dict[str, Any]] = []
        after = None
        while True:
            data = self.run(query, {**variables, "first": 100, "after": after})
            connection = data[field]
            nodes.extend(edge["node"] for edge in connection["edges"])
            if not connection["pageInfo"]["hasNextPage"]:
                return nodes
            after = connection["pageInfo"]["endCursor"]


def entity_of(global_id: str) -> str:
    """The hub's person id (``P...``) inside a Relay global id (``base64("Person:P...")``)."""
    try:
        kind, _, entity = base64.b64decode(global_id).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        raise AnswersError(f"{global_id!r} is not a global id of a Person") from None
    if kind != "Person" or not entity:
        raise AnswersError(f"{global_id!r} is not a global id of a Person")
    return entity


def global_id(entity: str) -> str:
    return base64.b64encode(f"Person:{entity}".encode()).decode("ascii")
