"""Start the sandbox from a checkout without installing it: python tests/sandbox/run_sandbox.py --port 0."""

import importlib
import os
import sys

if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(importlib.import_module('apiops_sandbox.__main__').main())
