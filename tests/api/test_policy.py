"""The policy file: the repository's loads against the schema; every kind of mistake is an
error naming the file, the line and the entry."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hub.api.access import DataCategory, Grant, Viewer, WriteScope
from hub.api.policy import DEFAULT_POLICY, GridScope, PolicyError, load_policy
from hub.resolution.tags import Tag
from tests.access import gated, policy, writes

REQUIRED_ROLES = {"public_security", "civil_affairs", "health", "party_building",
                  "city_management", "grid_worker", "steward", "administrator"}  # fmt: skip


def test_the_repository_policy_has_every_role() -> None:
    loaded = policy()
    assert set(loaded.roles) >= REQUIRED_ROLES
    assert loaded.role("grid_worker").grid_scope is GridScope.REQUIRED
    worker = loaded.role("grid_worker").viewer
    assert worker.reads(DataCategory.HEALTH, "Person.healthGroups")
    assert not worker.reads(DataCategory.HEALTH, "Person.vaccinations")


def test_health_facts_go_to_health_and_grid_workers_only() -> None:
    for name, role in policy().roles.items():
        reads_health = role.viewer.reads(DataCategory.HEALTH)
        assert reads_health == (name in {"health", "steward"}), name
        if role.viewer.reads(DataCategory.BENEFITS):
            assert name in {"civil_affairs", "grid_worker", "steward"}, name
        if Tag.UNVACCINATED in role.viewer.tags:
            assert name in {"health", "steward"}, name


def test_the_policy_is_package_data() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
    assert "policy.yaml" in pyproject["tool"]["setuptools"]["package-data"]["hub.api"]
    assert DEFAULT_POLICY.exists()


BASE = """\
version: 1
roles:
  clerk:
    description: a clerk
    grants:
      identity: full
      phone: masked
"""


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("    grants: {identity: ful}\n", None, "duplicate entry"),
        ("    colour: blue\n", 8, "roles.clerk.colour: unknown entry"),
        ("  nurse:\n    description: x\n    grants: {healthy: full}\n", 10, "unknown category"),
        ("  nurse:\n    description: x\n    grants: {health: masked}\n", 8, "health has no mask"),
        ("  nurse:\n    description: x\n    grants: {identity: most}\n", 10, "unknown value"),
        ("  nurse:\n    description: x\n    fields: {Person.vaccination: full}\n", 10,
         "not a gated field"),
        ("  nurse:\n    description: x\n    fields: {Person.vaccinations: masked}\n", 10,
         "health has no mask"),
        ("  nurse:\n    description: x\n    grants: {health: full}\n"
         "    fields: {Person.vaccinations: full}\n", 11, "same as the `health` grant"),
        ("  nurse:\n    description: x\n    tags: [ELDERLY]\n", 8, "tags category is denied"),
        ("  nurse:\n    description: x\n    grants: {tags: full}\n    tags: [OLD]\n", 11,
         "unknown tag 'OLD'"),
        ("  nurse:\n    description: x\n    grants: {tags: full}\n", 8, "no tag is listed"),
        ("  nurse:\n    description: x\n    grants: {tags: full}\n    tags: [UNVACCINATED]\n",
         8, "derived from Person.vaccinations"),
        ("  nurse:\n    description: x\n    grants: {lineage: full}\n", 8, "lineage shows"),
        ("  nurse:\n    description: x\n    grid_scope: sometimes\n", 10, "unknown value"),
        ("  nurse:\n    description: x\n    writes: {Person.phone: grid}\n", 10,
         "named Mutation.<field>"),
        ("  nurse:\n    description: x\n    writes: {Mutation.fly: county}\n", 10,
         "not a mutation of the schema"),
        ("  nurse:\n    description: x\n    writes: {Mutation.reportDeath: always}\n", 10,
         "unknown write scope"),
        ("  nurse:\n    description: x\n    writes: {Mutation.reportDeath: grid}\n", 10,
         "needs tokens that name a grid"),
        ("  nurse:\n    grants: {}\n", 8, "says who holds it"),
        ("  Nurse:\n    description: x\n", 8, "lower case"),
    ],
)  # fmt: skip
def test_mistakes_name_the_file_line_and_entry(
    tmp_path: Path, extra: str, line: int | None, message: str
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(BASE + extra, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path, gated(), writes())
    text = str(caught.value)
    assert text.startswith(f"{path}:"), text
    if line is not None:
        assert text.startswith(f"{path}:{line}:"), text
    assert message in text


def test_a_token_role_must_match_the_scope_rule() -> None:
    loaded = policy()
    with pytest.raises(PolicyError, match="give its grid code"):
        loaded.viewer("grid_worker", grid_code=None, actor="x")
    with pytest.raises(PolicyError, match="takes no grid code"):
        loaded.viewer("health", grid_code="350526001", actor="x")
    with pytest.raises(PolicyError, match="unknown role"):
        loaded.viewer("mayor", grid_code=None, actor="x")
    scoped = loaded.viewer("grid_worker", grid_code="350526001001", actor="w")
    assert (scoped.grid_scope, scoped.actor) == ("350526001001", "w")


def test_a_minimal_file_loads_and_denies_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(BASE, encoding="utf-8")
    clerk = load_policy(path, gated()).role("clerk").viewer
    assert clerk.grant(DataCategory.PHONE) is Grant.MASKED
    assert not clerk.reads(DataCategory.RESIDENT_ID)
    assert clerk.tags == frozenset()


def test_writes_are_granted_by_mutation_and_where() -> None:
    loaded = policy()
    steward = loaded.viewer("steward", grid_code=None, actor="s")
    assert steward.may_write("Mutation.mergePersons")
    assert steward.writes_at("Mutation.mergePersons", None)
    assert not steward.may_write("Mutation.reportEvent")
    worker = loaded.viewer("grid_worker", grid_code="350526001001", actor="w")
    assert worker.may_write("Mutation.registerResident")
    assert worker.may_write("Mutation.reportEvent")
    assert worker.writes_at("Mutation.reportEvent", "35052600100100101")
    assert not worker.writes_at("Mutation.reportEvent", "35052600200100101")  # beside the scope
    assert not worker.writes_at("Mutation.reportEvent", None)  # a report no grid places
    assert not worker.may_write("Mutation.mergePersons")
    for name in ("civil_affairs", "health", "party_building", "administrator"):
        role = loaded.viewer(name, grid_code=None, actor="x")
        assert not any(role.may_write(m) for m in writes()), name


def test_a_grid_grant_needs_a_grid_on_the_token() -> None:
    """``grid`` on a token without a grid writes nowhere, not the whole county."""
    unscoped = Viewer("clerk", None, writes={"Mutation.rateReport": WriteScope.GRID})
    assert not unscoped.may_write("Mutation.rateReport")
    assert not unscoped.writes_at("Mutation.rateReport", "35052600100100101")
