"""``python -m resistml`` runs the command line."""

from resistml.cli import main

main()
