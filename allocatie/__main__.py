"""``python -m allocatie``: the same as the ``allocatie`` command."""

from allocatie.cli.main import main

main()
