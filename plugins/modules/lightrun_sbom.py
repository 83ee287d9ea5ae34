# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: lightrun_sbom
short_description: Download Lightrun's dynamic SBOM (what was loaded at runtime) to a file
version_added: 0.2.0
description:
  - Downloads the dynamic software bill of materials Lightrun builds from the packages its agents saw loaded
    (C(GET /api/v1/sbom)), as SPDX JSON, CycloneDX JSON or CSV, and writes it to O(dest).
  - The file is only rewritten when the content differs, compared as content. Fields a generator writes anew on
    every download are ignored (CycloneDX C(serialNumber) and C(metadata.timestamp); SPDX C(creationInfo.created)
    and C(documentNamespace)); generated ids (CycloneDX C(bom-ref), SPDX C(SPDXID)) are replaced by the package they
    name, so a dependency or relationship is compared between packages; the order of components, packages,
    dependencies, C(dependsOn) refs, relationships and CSV rows is ignored.
  - Run it where the file should be, normally the controller (C(delegate_to) V(localhost)).
  - "Permission levels (the OpenAPI's C(Required API permission level)): the download needs C(SECURITY);
    O(agent_pool) also needs C(DEV) for the lookup (O(agent_pool_id) does not). A 403 answer fails naming the level
    the refused call needed."
author:
  - apiops.saas contributors (@apiops)
extends_documentation_fragment:
  - apiops.saas.lightrun
  - apiops.saas.api_common
  - apiops.saas.api_common.module
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    description: Downloads (a read) and compares, but writes nothing; reports whether the file would change.
  diff_mode:
    support: full
    description: Shows the file's content before and after.
options:
  dest:
    description:
      - The file to write. Its directory must exist.
    type: path
    required: true
  format:
    description:
      - The SBOM format (the API's C(SPDX), C(CYCLONE_DX) or C(CSV)).
    type: str
    choices: [spdx, cyclonedx, csv]
    default: cyclonedx
  sbom_package_name:
    description:
      - The name of the application the SBOM describes (the API's required C(sbomPackageName)).
    type: str
    required: true
  sbom_supplier_name:
    description:
      - The application's supplier (the API's required C(sbomSupplierName)).
    type: str
    required: true
  sbom_version:
    description:
      - The application's version (the API's required C(sbomVersion)).
    type: str
    required: true
  creation_time:
    description:
      - The SBOM's creation date, C(YYYY-MM-DD) (UTC), the API's required C(creationTime). Default today (UTC).
    type: str
  agent_pool:
    description:
      - The agent pool, by name (looked up with C(GET /api/v1/agent-pools); it must match exactly one pool).
        The API requires a pool when more than one is configured.
      - The lookup needs an API key with the C(DEV) permission level, besides C(SECURITY); give O(agent_pool_id) to
        work with a C(SECURITY) key alone.
      - Mutually exclusive with O(agent_pool_id).
    type: str
  agent_pool_id:
    description:
      - The agent pool, by id (no lookup, so no C(DEV) permission level needed).
    type: str
  tags:
    description:
      - Only packages loaded by hosts with this combination of agent tags.
    type: list
    elements: str
  package_names:
    description:
      - Only these packages (C(groupId:artifactId)), the API's C(packageNames).
    type: list
    elements: str
  package_versions:
    description:
      - Only these versions, the API's C(packageVersions).
    type: list
    elements: str
  backup:
    description:
      - Keep a timestamped copy of the file before overwriting it, as M(ansible.builtin.copy) does.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Download the runtime SBOM of production as CycloneDX
  apiops.saas.lightrun_sbom:
    dest: "{{ playbook_dir }}/reports/runtime-sbom.cdx.json"
    agent_pool: production
    sbom_package_name: shop-service
    sbom_supplier_name: Example Corp
    sbom_version: "1.4.0"
    backup: true
  delegate_to: localhost
  register: sbom

- name: The same as SPDX, only the logging packages
  apiops.saas.lightrun_sbom:
    dest: /srv/sbom/shop-runtime.spdx.json
    format: spdx
    agent_pool_id: 6b0c1f9e-2a55-4a0e-9d8f-3f1f3b8c9a10
    package_names: [org.apache.logging.log4j:log4j-core, org.slf4j:slf4j-api]
    sbom_package_name: shop-service
    sbom_supplier_name: Example Corp
    sbom_version: "1.4.0"
    mode: "0640"

- name: Feed the runtime SBOM back into the watch list
  apiops.saas.lightrun_watchlist:
    packages: "{{ sbom.dest | apiops.saas.sbom_packages }}"
'''

RETURN = r'''
dest:
  description: The file written (or that would be).
  returned: always
  type: str
  sample: /work/reports/runtime-sbom.cdx.json
format:
  description: The format downloaded.
  returned: always
  type: str
  sample: cyclonedx
components:
  description: How many packages the SBOM lists (CSV, rows after the header; SPDX, packages besides the described one).
  returned: always
  type: int
  sample: 235
backup_file:
  description: The backup made before the file was overwritten.
  returned: when O(backup=true) and the file was overwritten
  type: str
  sample: /work/reports/runtime-sbom.cdx.json.12345.2026-11-23@12:00:00~
agent_pool:
  description: The agent pool (C(id), and C(name) when looked up by name); null when none was given.
  returned: always
  type: dict
  sample: {"id": "6b0c1f9e-2a55-4a0e-9d8f-3f1f3b8c9a10", "name": "production"}
api_cost:
  description:
    - What the module's requests cost, per API. Only the APIs it sent requests to are there (none when it failed before sending any).
    - Every module of the collection returns it. The C(apiops.saas.api_report) callback sums it per API, task and host;
      ansible-playbook also adds the totals to the run's custom stats, as M(ansible.builtin.set_stats) does
      (C(apiops_lightrun_requests), C(apiops_lightrun_rate_limited), C(apiops_lightrun_wait_seconds)), which AWX shows on the job.
  returned: always
  type: dict
  contains:
    lightrun:
      description: The cost of the requests to the Lightrun API.
      returned: when the module sent a request to it
      type: dict
      contains:
        requests:
          description: Requests sent, by HTTP method, every retry included.
          returned: always
          type: dict
          sample: {"GET": 2}
        total_requests:
          description: All requests sent, every retry included.
          returned: always
          type: int
          sample: 2
        rate_limited:
          description: Answers that were HTTP 429 (rate limited).
          returned: always
          type: int
          sample: 0
        wait_seconds:
          description: Seconds spent waiting, for the shared rate budget (O(shared_rate_budget)) and between retries.
          returned: always
          type: float
          sample: 0.0
        rate_limit:
          description: The last C(X-RateLimit-Limit) and C(X-RateLimit-Remaining) seen (C(limit), C(remaining)); null when the API sent none.
          returned: always
          type: dict
          sample: null
'''

import datetime
import os
import tempfile

from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.apiops.saas.plugins.module_utils.api_module import (
    ApiModule,
    fail_api_error,
    lightrun_argument_spec,
    lightrun_client,
)
from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.reachability import (
    SBOM_FORMATS,
    SBOM_PATH,
    InputError,
    check_date,
    name_permission,
    get_text,
    parse_sbom_answer,
    render_sbom,
    resolve_agent_pool,
    stable_view,
)


def _count(fmt, document):
    if fmt == 'csv':
        return max(0, len([line for line in document.splitlines() if line.strip()]) - 1)
    if fmt == 'cyclonedx':
        return len(document.get('components') or [])
    return max(0, len(document.get('packages') or []) - 1)


def _read(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read().decode('utf-8')
    except (IOError, OSError):
        return None
    except UnicodeDecodeError:
        return ''


def main():
    module = ApiModule(
        argument_spec=lightrun_argument_spec(
            dest=dict(type='path', required=True),
            format=dict(type='str', choices=list(SBOM_FORMATS), default='cyclonedx'),
            sbom_package_name=dict(type='str', required=True),
            sbom_supplier_name=dict(type='str', required=True),
            sbom_version=dict(type='str', required=True),
            creation_time=dict(type='str'),
            agent_pool=dict(type='str'),
            agent_pool_id=dict(type='str'),
            tags=dict(type='list', elements='str'),
            package_names=dict(type='list', elements='str'),
            package_versions=dict(type='list', elements='str'),
            backup=dict(type='bool', default=False),
        ),
        mutually_exclusive=[('agent_pool', 'agent_pool_id')],
        add_file_common_args=True,
        supports_check_mode=True,
    )
    params = module.params
    fmt = params['format']
    dest = params['dest']
    try:
        for option in ('sbom_package_name', 'sbom_supplier_name', 'sbom_version', 'agent_pool', 'agent_pool_id'):
            if params[option] is not None and not params[option].strip():
                raise InputError('%s must not be empty' % option)
        for option in ('tags', 'package_names', 'package_versions'):
            if any(not value or not value.strip() for value in params[option] or []):
                raise InputError('%s must not hold empty strings' % option)
        creation = check_date('creation_time', params['creation_time']) or \
            datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        if os.path.isdir(dest):
            raise InputError('dest %s is a directory; give the file name' % dest)
        if not os.path.isdir(os.path.dirname(os.path.abspath(dest))):
            raise InputError('dest: the directory %s does not exist' % os.path.dirname(os.path.abspath(dest)))
    except InputError as exc:
        module.fail_json(msg=str(exc))
    client = lightrun_client(module)
    pool = {'id': params['agent_pool_id'], 'name': None} if params['agent_pool_id'] else None
    query = {'format': SBOM_FORMATS[fmt], 'creationTime': creation, 'sbomPackageName': params['sbom_package_name'],
             'sbomSupplierName': params['sbom_supplier_name'], 'sbomVersion': params['sbom_version']}
    try:
        if params['agent_pool']:
            pool = resolve_agent_pool(client, params['agent_pool'])
        if pool:
            query['agentPoolId'] = pool['id']
        for key, option in (('tags', 'tags'), ('packageNames', 'package_names'), ('packageVersions', 'package_versions')):
            if params[option]:
                query[key] = list(params[option])
        dummy, dummy, text = get_text(client, SBOM_PATH, query)
        document = parse_sbom_answer(fmt, text)
    except InputError as exc:
        module.fail_json(msg=str(exc))
    except ApiError as err:
        fail_api_error(module, name_permission(err))

    content = render_sbom(fmt, document)
    current = _read(dest)
    changed = current is None or stable_view(fmt, current) is None or stable_view(fmt, current) != stable_view(fmt, content)
    result = dict(changed=changed, dest=dest, format=fmt, components=_count(fmt, document), agent_pool=pool)
    if module._diff:  # pylint: disable=protected-access
        result['diff'] = {'before_header': dest, 'after_header': dest,
                          'before': current or '', 'after': content if changed else (current or '')}
    if changed and not module.check_mode:
        if params['backup'] and current is not None:
            result['backup_file'] = module.backup_local(dest)
        handle, tmp = tempfile.mkstemp(prefix='.lightrun_sbom.', dir=os.path.dirname(os.path.abspath(dest)))
        try:
            with os.fdopen(handle, 'wb') as out:
                out.write(to_bytes(content))
            module.atomic_move(tmp, dest, unsafe_writes=params['unsafe_writes'])
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    if not module.check_mode or not changed:
        file_args = module.load_file_common_arguments(params)
        result['changed'] = module.set_fs_attributes_if_different(file_args, result['changed'], diff=None)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
