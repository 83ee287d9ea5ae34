# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stand-in for the get-pip.py script ansible-test downloads to bootstrap pip.

ansible-test fetches get-pip from a host that is not reachable from here and
looks first in ~/.ansible/test/cache/get_pip_<version>.py. This stand-in
bootstraps pip with the standard library's ensurepip, then installs the
packages ansible-test asked for from the package registry.
"""

from __future__ import annotations

import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')
SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt'


def main():
    """Bootstrap pip, then pip-install the arguments ansible-test passed."""
    arguments = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    command = [sys.executable, '-m', 'pip', 'install']
    cert = os.environ.get('PIP_CERT') or (SYSTEM_CA_BUNDLE if os.path.exists(SYSTEM_CA_BUNDLE) else None)
    if cert:
        command += ['--cert', cert]
    subprocess.check_call(command + arguments)


if __name__ == '__main__':
    main()
