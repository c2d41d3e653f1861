"""`python -m checker`: the same command line as the `checker` script."""

from checker.entry import main

main()
