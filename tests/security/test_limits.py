"""Issue 16, item 5 (unbounded input) and the errors of item 9, as the attacks were made:
bodies, variables and rates against a real ``hub serve``, each refused with a clear HTTP or
GraphQL error (never a 500, never "Unexpected error."), and nothing of the value sent in the
answer or the server's log."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from strawberry.relay import to_base64

from hub.config import ApiLimits
from tests.api.conftest import issue_tokens
from tests.conftest import BACKENDS
from tests.schema.world import SUBJECT, SUBJECT_ID
from tests.security.conftest import small_world
from tests.security.live import LiveHub, headers, live_hub, operation

LIMITS = ApiLimits()
SUBJECT_GID = to_base64("Person", SUBJECT)
H1 = to_base64("House", "H1")


def body(hub: LiveHub, role: str, content: bytes | Iterator[bytes]) -> httpx.Response:
    return httpx.post(hub.url, content=content, timeout=120,
                      headers={**headers(hub.tokens[role]),
                               "content-type": "application/json"})  # fmt: skip


def error(response: httpx.Response) -> tuple[int, str | None, str]:
    """Status, code and message of a refused request."""
    assert response.status_code != 500, response.text
    payload = response.json()
    assert payload.get("data") is None, payload
    first = payload["errors"][0]
    return response.status_code, first.get("extensions", {}).get("code"), first["message"]


def test_a_body_over_the_cap_is_refused_before_it_is_parsed(hub: LiveHub) -> None:
    declared = body(hub, "health", b"x" * (100 * 1024 * 1024))  # a 100 MB body
    assert error(declared)[:2] == (413, "PAYLOAD_TOO_LARGE")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
        for _ in range(4 * 1024):
            yield b" " * 1024

    assert error(body(hub, "health", chunks()))[:2] == (413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[" * 5000 + b"]" * 5000, "nests deeper"),
        (b'{"query": "q", "variables": {"a": ' + b"[" * 900 + b"]" * 900 + b"}}", "nests deeper"),
        (b'{"query": "\xff\xfe"}', "not UTF-8"),
        (b'"a string"', "must be a JSON object"),
        (b"{not json", "not valid JSON"),
    ],
)
def test_malformed_bodies_are_a_400(hub: LiveHub, content: bytes, reason: str) -> None:
    response = body(hub, "health", content)
    assert response.status_code == 400 and reason in response.text


@pytest.mark.parametrize(
    ("name", "variables", "role", "message"),
    [
        ("FindPersonByName", {"name": "陈" * 300_000}, "health", "PAYLOAD_TOO_LARGE"),
        ("FindPersonByName", {"name": "陈" * 20_000}, "health", "over 16384 bytes"),
        ("FindPersonByName", {"name": "陈" * 51}, "health", "$name is longer than 50"),
        ("MergePersons", {"personIds": [SUBJECT_GID] * 101, "reason": "r"}, "steward",
         "$personIds has more than 100 items"),
        ("RegisterResident", {"input": {"name": "<img src=x>", "houseId": H1}}, "grid_worker",
         "$input.name holds markup"),
        ("RegisterResident", {"input": {"name": "陈\u202e英", "houseId": H1}}, "grid_worker",
         "$input.name holds a control or format character"),
        ("ReportEvent", {"input": {"category": "市容秩序", "description": "<script>x</script>"}},
         "city_management", "$input.description holds markup"),
        ("UpdateResidentContact", {"id": SUBJECT_GID, "expectedVersion": 2**31,
                                   "input": {"phone": "13900000000"}}, "grid_worker",
         "Variable $expectedVersion is not a valid Int."),
        ("ChangesSince", {"since": {"at": "0000-00-00"}}, "civil_affairs",
         "Variable $since.at is not a valid DateTime."),
        ("PersonByResidentId", {"residentId": SUBJECT_ID, "extra": "陈" * 20_000},
         "public_security", "over 16384 bytes"),
    ],
)  # fmt: skip
def test_variables_over_the_limits_or_of_the_wrong_type_are_bad_user_input(
    hub: LiveHub, name: str, variables: dict[str, object], role: str, message: str
) -> None:
    response = hub.post(operation(name), variables, token=hub.tokens[role])
    if response.status_code == 413:  # bigger than the body cap: refused sooner
        assert error(response)[1] == message
        return
    status, code, said = error(response)
    assert (status, code) == (200, "BAD_USER_INPUT") and message in said
    for sent in ("2147483648", "0000-00-00", "<img", "<script>", "陈陈陈"):
        assert sent not in response.text
    log = hub.log_text()
    assert "Traceback" not in log and "2147483648" not in log and "0000-00-00" not in log


def test_a_subscription_over_http_is_a_clear_error(hub: LiveHub) -> None:
    response = hub.op("ChangeFeed", {}, role="civil_affairs")
    status, code, message = error(response)
    assert (status, code) == (200, "BAD_REQUEST") and "WebSocket" in message


def test_a_write_not_granted_is_refused_before_its_variables_are_read(hub: LiveHub) -> None:
    """A role without the grant sends a huge list: the answer is FORBIDDEN, not a size error
    (the grant is checked first) and not an error of coercing it."""
    response = hub.post(operation("MergePersons"), {"personIds": ["x"] * 1_000, "reason": "r"},
                        token=hub.tokens["health"])  # fmt: skip
    assert error(response)[1:] == ("FORBIDDEN", "Not granted: this write.")


@pytest.fixture(scope="module", params=BACKENDS)
def slow_hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[LiveHub]:  # fmt: skip
    """A server with a small request rate: 6 a minute, 5 at once."""
    base = tmp_path_factory.mktemp("rate")
    url = small_world(str(request.param), base, request)
    env = {"HUB_RATE_PER_MINUTE": "6", "HUB_RATE_BURST": "5"}
    with live_hub(url, base / "var", tokens=issue_tokens(url), env=env) as server:
        yield server


def test_each_token_has_a_rate(slow_hub: LiveHub) -> None:
    query = operation("DeliveriesOfDataset")
    answers = [slow_hub.post(query, {"dataset": "gongan.population"},
                             token=slow_hub.tokens["administrator"]) for _ in range(7)]  # fmt: skip
    assert [a.status_code for a in answers[:5]] == [200] * 5
    limited = answers[-1]
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert error(limited)[1] == "RATE_LIMITED"
    other = slow_hub.post(query, {"dataset": "gongan.population"},
                          token=slow_hub.tokens["steward"])  # fmt: skip
    assert other.status_code == 200  # another token's bucket is its own


def test_lookups_by_id_have_a_rate_of_their_own(hub: LiveHub) -> None:
    codes = [hub.op("PersonByResidentId", {"residentId": SUBJECT_ID}, role="public_security")
             .status_code for _ in range(LIMITS.lookup_burst + 1)]  # fmt: skip
    assert codes[: LIMITS.lookup_burst] == [200] * LIMITS.lookup_burst
    assert codes[-1] == 429
