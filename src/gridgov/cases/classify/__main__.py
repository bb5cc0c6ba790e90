"""``python -m gridgov.cases.classify [TEXT | --select | --validate | --evaluate]``: the
classifier's command line, kept in ``classify_eval`` (which imports the model; the model
does not import it)."""

from gridgov.cases.classify_eval import main

raise SystemExit(main())
