# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The integration targets stay cheap to run: no fact gathering, modules pipelined."""

from __future__ import annotations

import configparser
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
TARGETS = os.path.join(ROOT, 'tests', 'integration', 'targets')


def _aliases(target):
    with open(os.path.join(TARGETS, target, 'aliases'), encoding='utf-8') as handle:
        return [line.strip() for line in handle if line.strip()]


def test_no_target_gathers_facts():
    # ansible-test's play for a target gathers facts unless the target says otherwise; no target uses
    # them, and gathering costs a module run per target on every version the test command runs.
    runnable = [target for target in sorted(os.listdir(TARGETS)) if 'hidden' not in _aliases(target)]
    assert len(runnable) > 40
    assert [target for target in runnable if 'gather_facts/no' not in _aliases(target)] == []


def test_targets_pipeline_their_modules():
    config = configparser.ConfigParser()
    assert config.read(os.path.join(ROOT, 'tests', 'integration', 'integration.cfg'))
    assert config.getboolean('connection', 'pipelining')
