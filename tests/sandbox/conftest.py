"""Make apiops_sandbox importable for the tests without installing it."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
