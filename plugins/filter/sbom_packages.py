# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: sbom_packages
short_description: Turn a CycloneDX or SPDX JSON SBOM into Lightrun watch-list packages
version_added: 0.2.0
author:
  - apiops.saas contributors (@apiops)
description:
  - Reads a software bill of materials in CycloneDX JSON (as the CycloneDX Maven and Gradle plugins, Syft
    and Trivy write it) or SPDX 2.x JSON, and returns the items the O(apiops.saas.lightrun_watchlist#module:packages)
    option takes, one per Maven package.
  - A component is a Maven package when its package URL is C(pkg:maven/groupId/artifactId@version). A CycloneDX
    component without a purl counts as Maven when it has C(group) (a dotted Maven groupId), C(name) and C(version).
    SPDX packages are recognised by their C(purl) external reference.
  - Every other component (npm, PyPI, Debian, Go, files, operating systems...) is skipped and counted per purl type
    (see O(with_summary)). The application itself (CycloneDX C(metadata.component), the package an SPDX document
    C(DESCRIBES)) is not a dependency and is left out.
  - Packages are de-duplicated by name and version (classes of duplicates are merged) and sorted by name and version.
  - The filter runs on the controller and needs nothing beyond Python's standard library.
positional: _input
options:
  _input:
    description:
      - The SBOM, a path to a JSON file on the controller (a relative path is relative to the directory
        C(ansible-playbook) runs in, so prefer C({{ playbook_dir }}/...)), its JSON text (for example from
        P(ansible.builtin.file#lookup)), or an already parsed document.
      - Or a package list, read the same way (summary C(format) V(list)) so that O(only) and O(classes) apply to it
        too. Its items are what O(apiops.saas.lightrun_watchlist#module:packages) takes or Maven purls; other purls
        are skipped and counted.
      - A file that cannot be read, is not JSON, or is neither CycloneDX nor SPDX fails with a message naming the
        file; a malformed Maven purl fails naming the file and the entry (for example
        C(components[12] (pkg:maven/org.example/app))).
      - A Maven entry that Lightrun cannot watch (no version, SPDX's V(NOASSERTION), a version or class Lightrun
        refuses, such as V(1.0 (patched))) is skipped with a warning naming the file and the entry, and listed in the
        summary's C(unwatchable); it fails only when O(only) selects it. In a package list, such an entry fails.
    type: raw
    required: true
  only:
    description:
      - Keep only these packages, for example the ones a scanner flagged.
      - Each item is C(groupId:artifactId) (any version in the SBOM), C(groupId:artifactId:version), a Maven purl
        (with or without version), or a dict with C(name) or C(purl), optionally C(version) and C(classes), so a
        scanner's export of vulnerable packages and classes can be given as it is.
      - Items that match nothing in the SBOM are listed in the summary's C(not_found).
    type: list
    elements: raw
  classes:
    description:
      - Classes to watch, as a mapping of package (C(groupId:artifactId), C(groupId:artifactId:version) or a Maven
        purl) to a list of fully qualified class names. Added to the classes the SBOM itself carries.
      - Where classes come from, all merged per package, is described in RV(_value).
    type: dict
  sbom_classes:
    description:
      - Whether to take the classes the input itself carries (CycloneDX call-stack evidence, the C(classes) of a
        package list's items).
      - V(false) keeps only the classes of O(only) dicts and O(classes), for example to watch exactly the classes a
        scanner flagged, as the P(apiops.saas.reachability_gate#role) role does.
    type: bool
    default: true
  with_summary:
    description:
      - Return C({packages, summary}) instead of the list of packages, so that skipped components can be checked.
    type: bool
    default: false
notes:
  - Classes come from three places, merged per package. 1. CycloneDX 1.5+ call-stack evidence
    (C(components[].evidence.callstack.frames[].module), qualified with the frame's C(package) when it is a bare
    name), which reachability tools write (not with O(sbom_classes=false)). 2. The C(classes) of O(only) dicts.
    3. The O(classes) mapping.
    SPDX has no standard place for classes, so for SPDX only 2. and 3. apply.
  - A package without any known class gets no C(classes) key, so P(apiops.saas.lightrun_watchlist#module) leaves
    the classes of an already watched package alone.
'''

EXAMPLES = r'''
- name: Watch every Maven package the build ships
  apiops.saas.lightrun_watchlist:
    packages: "{{ (playbook_dir ~ '/target/bom.json') | apiops.saas.sbom_packages }}"

- name: Watch only what the scanner flagged, with the vulnerable classes
  apiops.saas.lightrun_watchlist:
    packages: "{{ sbom_path | apiops.saas.sbom_packages(only=scanner_findings) }}"
  vars:
    sbom_path: "{{ playbook_dir }}/target/bom.json"
    scanner_findings:
      - purl: pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1
        classes: [org.apache.logging.log4j.core.lookup.JndiLookup]
      - name: org.yaml:snakeyaml

- name: Read an SPDX SBOM, add classes by package name, and look at what was skipped
  ansible.builtin.set_fact:
    sbom: "{{ lookup('ansible.builtin.file', 'sbom.spdx.json') | apiops.saas.sbom_packages(classes=extra_classes, with_summary=true) }}"
  vars:
    extra_classes:
      com.fasterxml.jackson.core:jackson-databind:
        - com.fasterxml.jackson.databind.ObjectMapper

- name: Refuse an SBOM that has no Maven component
  ansible.builtin.assert:
    that: sbom.summary.maven > 0
    fail_msg: "No Maven component; skipped: {{ sbom.summary.skipped_by_type }}"
'''

RETURN = r'''
_value:
  description:
    - The watch-list items, sorted by name and version; with O(with_summary=true) a dict C({packages, summary}).
    - "C(packages): the same items. C(summary): C(format) (V(cyclonedx) or V(spdx)), C(spec_version), C(components)
      (entries read, the application itself not counted), C(maven) (distinct Maven packages), C(duplicates)
      (Maven entries merged into another), C(skipped) and C(skipped_by_type) (non-Maven entries per purl type,
      V(no purl) for entries without one), C(selected) (items returned), C(not_found) (O(only) items not in the SBOM),
      C(unwatchable) (the Maven entries skipped because Lightrun cannot watch them, each described with its reason)."
  type: raw
  sample:
    - name: org.apache.logging.log4j:log4j-core
      version: 2.14.1
      classes: [org.apache.logging.log4j.core.lookup.JndiLookup]
    - name: org.yaml:snakeyaml
      version: "1.33"
  contains:
    name:
      description: Maven C(groupId:artifactId).
      type: str
    version:
      description: The version the SBOM gives.
      type: str
    classes:
      description: Fully qualified classes to watch, sorted; only present when some are known.
      type: list
      elements: str
'''

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.apiops.saas.plugins.module_utils.lightrun.sbom import SbomError, sbom_packages

display = Display()


def _sbom_packages(sbom, only=None, classes=None, with_summary=False, sbom_classes=True):
    try:
        if with_summary:
            result = sbom_packages(sbom, only=only, classes=classes, with_summary=True, source_classes=sbom_classes)
            unwatchable = result['summary']['unwatchable']
        else:
            result, unwatchable = sbom_packages(sbom, only=only, classes=classes, with_unwatchable=True,
                                                source_classes=sbom_classes)
    except SbomError as exc:
        # The message is complete; the chained cause would only repeat it.
        raise AnsibleFilterError('sbom_packages: %s' % exc) from None
    for message in unwatchable:
        display.warning('sbom_packages: skipped, Lightrun cannot watch it: %s' % message)
    return result


class FilterModule:
    """apiops.saas SBOM filters."""

    def filters(self):
        return {'sbom_packages': _sbom_packages}
