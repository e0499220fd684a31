"""`python -m synthpipe` is the `synthpipe` command."""

from synthpipe.cli import main

if __name__ == "__main__":
    main()
