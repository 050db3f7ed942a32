"""``python -m convzoo``: the ``convzoo`` command line."""

from .cli import main

raise SystemExit(main())
