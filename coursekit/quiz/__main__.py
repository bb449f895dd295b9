"""``python -m coursekit.quiz BANK...``: validate question banks (source ids included)."""
from .api import main

raise SystemExit(main())
