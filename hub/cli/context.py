"""What every sub-command receives: the settings, read once by the group."""

from __future__ import annotations

from dataclasses import dataclass

import click

from hub.config import Settings


@dataclass(slots=True)
class CliContext:
    settings: Settings


pass_cli = click.make_pass_decorator(CliContext)
