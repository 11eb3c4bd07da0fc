"""``python -m evalset``."""

from evalset.cli import main

main()
