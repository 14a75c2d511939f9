#!/usr/bin/env python3
"""Command-line entry of the disclosure portal generator: `python build.py --help`."""

import sys

from xxgk.cli import main

if __name__ == "__main__":
    sys.exit(main())
