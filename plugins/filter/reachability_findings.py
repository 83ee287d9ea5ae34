# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: reachability_findings
short_description: Match a scanner's vulnerable packages and classes against Lightrun's reachability verdict
version_added: 0.2.0
author:
  - apiops.saas contributors (@apiops)
description:
  - Takes the RV(apiops.saas.lightrun_reachability_info#module:packages) of M(apiops.saas.lightrun_reachability_info)
    and a list of vulnerable packages (for example exported from a scanner) and returns one finding per vulnerable
    entry and version, saying whether a listed vulnerable class was loaded at runtime (or, for an entry without
    classes, the package at all).
  - The P(apiops.saas.reachability_gate#role) role builds its reports and its pass or fail decision from it.
positional: _input, vulnerable
options:
  _input:
    description:
      - The verdict's C(packages) list.
    type: list
    elements: dict
    required: true
  vulnerable:
    description:
      - The vulnerable entries. Each is C(groupId:artifactId), C(groupId:artifactId:version), a Maven purl, or a dict
        with C(name) or C(purl), optionally C(version), C(classes) (the vulnerable classes) and the advisory's C(id),
        C(severity), C(title) and C(url), which the findings carry along.
    type: list
    elements: raw
    required: true
  shipped:
    description:
      - The packages the build ships (the watch-list items the SBOM gave). An entry that is not among them is
        V(NOT_SHIPPED); one that is but is missing from the verdict is V(NOT_REPORTED).
      - When not given, every entry missing from the verdict is V(NOT_REPORTED).
    type: list
    elements: dict
'''

EXAMPLES = r'''
- name: Read the verdict for the flagged packages
  apiops.saas.lightrun_reachability_info:
    agent_pool: production
    packages: "{{ sbom | apiops.saas.sbom_packages(only=scanner_findings) }}"
  register: verdict

- name: Which findings are reachable?
  ansible.builtin.set_fact:
    reachable: "{{ verdict.packages | apiops.saas.reachability_findings(scanner_findings) | selectattr('reachable') }}"
  vars:
    scanner_findings:
      - id: CVE-2021-44228
        severity: critical
        purl: pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1
        classes: [org.apache.logging.log4j.core.lookup.JndiLookup]
'''

RETURN = r'''
_value:
  description: One finding per vulnerable entry and version, in the order of O(vulnerable).
  type: list
  elements: dict
  sample:
    - id: CVE-2021-44228
      severity: critical
      title: null
      url: null
      name: org.apache.logging.log4j:log4j-core
      version: 2.14.1
      classes: [org.apache.logging.log4j.core.lookup.JndiLookup]
      status: LOADED_WITH_CLASSES
      loaded_classes: [org.apache.logging.log4j.core.lookup.JndiLookup]
      vulnerable_classes_loaded: [org.apache.logging.log4j.core.lookup.JndiLookup]
      unwatched_classes: []
      reachable: true
  contains:
    name:
      description: Maven C(groupId:artifactId).
      type: str
    version:
      description: The version seen (or listed, for V(NOT_SHIPPED) and V(NOT_REPORTED)).
      type: str
    status:
      description:
        - V(NOT_LOADED), V(LOADED), V(LOADED_WITH_CLASSES), V(NOT_SHIPPED) or V(NOT_REPORTED).
        - V(NOT_REPORTED) also when the package was loaded but a listed class is not among the classes Lightrun
          watches for it (see RV(_value[].unwatched_classes)); Lightrun reports only watched classes, so whether it was
          loaded is unknown.
      type: str
    unwatched_classes:
      description: The listed classes Lightrun does not watch for a loaded package (the finding is then V(NOT_REPORTED)).
      type: list
      elements: str
    classes:
      description: The vulnerable classes listed for the entry.
      type: list
      elements: str
    vulnerable_classes_loaded:
      description: The listed classes seen loaded.
      type: list
      elements: str
    reachable:
      description: Whether a listed class was loaded, or, for an entry without classes, the package.
      type: bool
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.apiops.saas.plugins.module_utils.lightrun.reachability import findings
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.sbom import SbomError


def _reachability_findings(verdict_packages, vulnerable, shipped=None):
    try:
        return findings(verdict_packages, vulnerable, shipped)
    except SbomError as exc:
        # The message is complete; the chained cause would only repeat it.
        raise AnsibleFilterError('reachability_findings: %s' % exc) from None


class FilterModule:
    """apiops.saas reachability filters."""

    def filters(self):
        return {'reachability_findings': _reachability_findings}
