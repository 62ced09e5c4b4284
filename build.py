"""`python build.py ARGS` is the same as `wsdgen build ARGS`."""

import sys

from wsdgen.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
