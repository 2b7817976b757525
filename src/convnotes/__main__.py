"""`python -m convnotes`: the same as the `convnotes` command."""

from convnotes.cli import main

raise SystemExit(main())
