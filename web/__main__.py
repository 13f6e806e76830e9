"""`python -m web` is the same as `python -m web.server`."""

from web.server import main

main()
