"""The README's examples run as written on the demo data: ``hub demo``, ``hub grids``, the
tokens, the curl request, the ``gql`` snippet and the Dagster automation commands, taken from
the README's own code blocks (only the server's port, the token placeholder and ``.venv/bin``
are put in), against a real ``hub serve``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.servers import hub_server

pytestmark = pytest.mark.slow
ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
BLOCKS = re.findall(r"```(bash|python)\n(.*?)```", README, re.DOTALL)


def _lines(pattern: str) -> list[str]:
    """The README's shell commands (continuation lines joined) that match ``pattern``."""
    commands = [c for _, block in BLOCKS for c in block.replace("\\\n", " ").splitlines()]
    found = [c.split("  #", 1)[0].strip() for c in commands if re.search(pattern, c)]
    assert found, pattern
    return found


def _shell(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = command.replace(".venv/bin/", f"{BIN}/")
    return subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900, check=False)  # fmt: skip


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_the_readme_examples_run_as_written_on_the_demo(tmp_path: Path) -> None:
    env = {**os.environ, "HUB_VAR_DIR": str(tmp_path / "var")}
    env.pop("HUB_DATABASE_URL", None)
    env.pop("DAGSTER_HOME", None)
    # The quick start installs, then runs the demo: the install is this environment.
    demo = _lines(r"\.venv/bin/hub demo$")[0].rsplit("&& ", 1)[-1]
    done = _shell(demo, env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "published: publication" in done.stdout

    (grids,) = _lines(r"^\.venv/bin/hub grids")
    townships = _shell(grids, env)
    assert townships.returncode == 0 and "350526100          龙浔镇  [乡镇]" in townships.stdout
    level = _shell(".venv/bin/hub grids --level responsibility", env).stdout
    assert "35052610000100101  英山社区第一网格1号责任网格" in level  # the README names it

    secrets = {}
    for command in _lines(r"hub token create"):
        created = _shell(command, env)
        assert created.returncode == 0, created.stderr
        role = re.search(r"--role (\w+)", command)
        assert role is not None
        secrets[role.group(1)] = created.stdout.splitlines()[-1]

    database = f"sqlite:///{tmp_path / 'var' / 'hub.sqlite3'}"
    with hub_server(database, tmp_path / "var") as server:
        base = server.url.removesuffix("/graphql")

        def filled(text: str) -> str:
            return text.replace("http://127.0.0.1:8000", base).replace(
                "hub_...", secrets["civil_affairs"]
            )

        (curl,) = _lines(r"^curl .*ElderlyLivingAloneInGrid")
        answer = _shell(filled(curl), env)
        body = json.loads(answer.stdout)
        assert "errors" not in body, body
        assert body["data"]["people"]["totalCount"] > 0

        (snippet,) = [block for kind, block in BLOCKS if kind == "python"]
        ran = subprocess.run([sys.executable, "-c", filled(snippet)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
        assert ran.returncode == 0, ran.stderr[-2000:]
        count = body["data"]["people"]["totalCount"]
        assert ran.stdout == f"{count} elderly residents living alone in 龙浔镇\n"

    for command in _lines(r"dagster (sensor|schedule) start"):
        started = _shell(command.replace("$PWD/var", str(tmp_path / "var")), env)
        assert started.returncode == 0, started.stderr[-2000:]
        assert re.search(r"Started (sensor|schedule) \w+", started.stdout), started.stdout
