"""`python -m tocsin.cli`: the same command line as `tocsin`."""

from tocsin.cli import main

main()
