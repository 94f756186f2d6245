"""``python -m graphthb`` runs the command line."""

from graphthb.cli import main

main(prog_name="graphthb")
