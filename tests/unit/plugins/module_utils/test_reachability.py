# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reachability helpers: the verdict, date checks, pool lookup and the SBOM comparison."""

from __future__ import annotations

import json
from unittest.mock import patch
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiClient, ApiError
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.reachability import (
    InputError,
    check_date_range,
    check_tags,
    findings,
    get_text,
    loaded_query,
    name_permission,
    parse_sbom_answer,
    read_loaded_packages,
    render_sbom,
    resolve_agent_pool,
    stable_view,
    verdict,
)
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.sbom import SbomError

BASE = 'https://lightrun.example.test'
LOG4J = {'packageName': 'org.apache.logging.log4j:log4j-core', 'version': '2.14.1', 'type': 'JAVA',
         'status': 'LOADED_WITH_CLASSES',
         'classes': [{'name': 'org.apache.logging.log4j.core.lookup.JndiLookup', 'status': 'LOADED'},
                     {'name': 'org.apache.logging.log4j.core.Logger', 'status': 'NOT_LOADED'}]}
YAML = {'packageName': 'org.yaml:snakeyaml', 'version': '1.33', 'status': 'LOADED', 'classes': []}
SLF4J = {'packageName': 'org.slf4j:slf4j-api', 'version': '2.0.9', 'status': 'NOT_LOADED', 'classes': []}


def client():
    return ApiClient('lightrun', BASE, token='secret-key', rate_limit_timeout=0)


def page(items, total=None):
    return {'items': items, 'hasMore': False, 'total': len(items) if total is None else total, 'offset': 0,
            'limit': 1000}


def test_verdict_without_wanted_reports_everything():
    report, missing, summary = verdict([YAML, LOG4J, SLF4J])
    assert [entry['name'] for entry in report] == ['org.apache.logging.log4j:log4j-core', 'org.slf4j:slf4j-api',
                                                   'org.yaml:snakeyaml']
    assert report[0]['loaded_classes'] == ['org.apache.logging.log4j.core.lookup.JndiLookup']
    assert [c['name'] for c in report[0]['classes']] == sorted(c['name'] for c in LOG4J['classes'])
    assert missing == []
    assert summary == {'NOT_LOADED': 1, 'LOADED': 1, 'LOADED_WITH_CLASSES': 1, 'total': 3, 'reachable': 2, 'missing': 0}


def test_verdict_class_level_and_package_level():
    wanted = [
        {'name': 'org.apache.logging.log4j:log4j-core', 'version': '2.14.1',
         'classes': ['org.apache.logging.log4j.core.Logger']},
        {'name': 'org.yaml:snakeyaml', 'version': None, 'classes': None},
        {'name': 'org.slf4j:slf4j-api', 'version': '2.0.9', 'classes': ['org.slf4j.Logger']},
        {'name': 'com.example:gone', 'version': '1.0', 'classes': None},
    ]
    report, missing, summary = verdict([LOG4J, YAML, SLF4J], wanted)
    by_name = dict((entry['name'], entry) for entry in report)
    # log4j is loaded with a class, but not with the one listed as vulnerable.
    assert not by_name['org.apache.logging.log4j:log4j-core']['reachable']
    assert by_name['org.apache.logging.log4j:log4j-core']['vulnerable_classes_loaded'] == []
    assert by_name['org.yaml:snakeyaml']['reachable']
    assert not by_name['org.slf4j:slf4j-api']['reachable']
    assert missing == [{'name': 'com.example:gone', 'version': '1.0'}]
    assert summary['reachable'] == 1 and summary['missing'] == 1 and summary['total'] == 3
    report, dummy, summary = verdict([LOG4J], [{'name': LOG4J['packageName'], 'version': None,
                                                'classes': ['org.apache.logging.log4j.core.lookup.JndiLookup']}])
    assert report[0]['reachable'] and summary['reachable'] == 1


def test_dates_are_checked():
    assert check_date_range('2026-11-01', '2026-11-30') == ('2026-11-01', '2026-11-30')
    assert check_date_range(None, None) == (None, None)
    with pytest.raises(InputError, match='load_date_start must be a date'):
        check_date_range('2026-13-01', None)
    with pytest.raises(InputError, match='load_date_end must be a date'):
        check_date_range(None, '1/2/2026')
    with pytest.raises(InputError, match='is after'):
        check_date_range('2026-11-30', '2026-11-01')


def test_loaded_query_repeats_arrays():
    query = loaded_query('pool-1', ['prod', 'eu'], '2026-11-01', None, ['a:b'], None, ['LOADED'])
    assert query == {'agentPoolId': 'pool-1', 'loadDateStart': '2026-11-01', 'tags': ['prod', 'eu'],
                     'packageNames': ['a:b'], 'status': ['LOADED']}


@responses.activate
def test_read_loaded_packages_sends_filters_and_no_undocumented_sort():
    responses.add(responses.GET, BASE + '/api/v1/loaded-packages', json=page([LOG4J, YAML]))
    listing = read_loaded_packages(client(), loaded_query(tags=['prod', 'eu']))
    assert [item['packageName'] for item in listing] == [LOG4J['packageName'], YAML['packageName']]
    query = parse_qs(urlparse(responses.calls[0].request.url).query)
    # listLoadedPackages lists no sortable field: none is sent.
    assert 'sort' not in query
    assert query['tags'] == ['prod', 'eu']
    assert listing.consistent


@responses.activate
def test_read_loaded_packages_without_sort_is_checked_to_add_up():
    def shifting_pages():
        # Two pages whose order shifted between requests: YAML read twice, SLF4J never.
        responses.add(responses.GET, BASE + '/api/v1/loaded-packages',
                      json={'items': [LOG4J, YAML], 'hasMore': True, 'total': 3, 'offset': 0, 'limit': 2})
        responses.add(responses.GET, BASE + '/api/v1/loaded-packages',
                      json={'items': [YAML], 'hasMore': False, 'total': 3, 'offset': 2, 'limit': 2})
    # With the names asked about, the read is done again by name, one page per request, and adds up.
    shifting_pages()
    responses.add(responses.GET, BASE + '/api/v1/loaded-packages', json=page([LOG4J, SLF4J]))
    responses.add(responses.GET, BASE + '/api/v1/loaded-packages', json=page([YAML]))
    names = [YAML['packageName'], LOG4J['packageName'], SLF4J['packageName']]
    with patch('ansible_collections.apiops.saas.plugins.module_utils.lightrun.reachability.NAMES_PER_REQUEST', 2):
        listing = read_loaded_packages(client(), {'agentPoolId': 'p1'}, names=names)
    assert listing.consistent and len(listing) == 3 and listing.total == 3
    asked = [parse_qs(urlparse(call.request.url).query) for call in responses.calls]
    assert [query['packageNames'] for query in asked[2:]] == [sorted(names)[:2], sorted(names)[2:]]
    assert all('sort' not in query and query['agentPoolId'] == ['p1'] for query in asked)


@responses.activate
def test_read_loaded_packages_without_names_learns_them_from_more_reads():
    first = {'items': [LOG4J, YAML], 'hasMore': True, 'total': 3, 'offset': 0, 'limit': 2}
    for items in ([LOG4J, YAML], [YAML], [SLF4J, YAML], [LOG4J]):
        two = len(items) == 2
        responses.add(responses.GET, BASE + '/api/v1/loaded-packages', json=dict(first, items=items, offset=0 if two else 2, hasMore=two))
    responses.add(responses.GET, BASE + '/api/v1/loaded-packages', json=page([LOG4J, SLF4J, YAML]))
    listing = read_loaded_packages(client(), {})
    assert listing.consistent and len(listing) == 3
    last = parse_qs(urlparse(responses.calls[-1].request.url).query)
    assert last['packageNames'] == sorted(item['packageName'] for item in (LOG4J, SLF4J, YAML))
    # A name never seen: the read by name does not add up to the total and says so.
    for items in ([LOG4J, YAML], [YAML]) * 4:
        two = len(items) == 2
        responses.add(responses.GET, BASE + '/api/v1/loaded-packages', json=dict(first, items=items, offset=0 if two else 2, hasMore=two))
    responses.add(responses.GET, BASE + '/api/v1/loaded-packages', json=page([LOG4J, YAML]))
    listing = read_loaded_packages(client(), {})
    assert not listing.consistent and 'of the 3 listed' in listing.summary()


@responses.activate
def test_resolve_agent_pool_is_exact():
    pools = [{'id': 'p1', 'name': 'production'}, {'id': 'p2', 'name': 'production-eu'}]
    responses.add(responses.GET, BASE + '/api/v1/agent-pools', json=page(pools))
    assert resolve_agent_pool(client(), 'production') == {'id': 'p1', 'name': 'production'}
    query = parse_qs(urlparse(responses.calls[0].request.url).query)
    assert query['name'] == ['production'] and query['sort'] == ['name,asc']
    with pytest.raises(InputError, match="no agent pool is named 'prod'"):
        resolve_agent_pool(client(), 'prod')


@responses.activate
def test_resolve_agent_pool_refuses_duplicates():
    responses.add(responses.GET, BASE + '/api/v1/agent-pools',
                  json=page([{'id': 'p1', 'name': 'dup'}, {'id': 'p2', 'name': 'dup'}]))
    with pytest.raises(InputError, match='2 agent pools are named'):
        resolve_agent_pool(client(), 'dup')


@responses.activate
def test_unknown_tags_are_refused():
    responses.add(responses.GET, BASE + '/api/v1/tags', json=page([{'id': 1, 'name': 'prod'}]))
    check_tags(client(), ['prod'], 'p1')
    assert parse_qs(urlparse(responses.calls[0].request.url).query)['agentPoolId'] == ['p1']
    with pytest.raises(InputError, match='eu not known to Lightrun in this agent pool'):
        check_tags(client(), ['prod', 'eu'], 'p1')


@responses.activate
def test_get_text_reads_csv_and_maps_errors():
    responses.add(responses.GET, BASE + '/api/v1/sbom', body='packageName,version\na:b,1\n', content_type='text/plain')
    status, content_type, text = get_text(client(), '/api/v1/sbom', {'format': 'CSV'})
    assert (status, content_type, text) == (200, 'text/plain', 'packageName,version\na:b,1\n')
    assert 'text/plain' in responses.calls[0].request.headers['Accept']
    assert responses.calls[0].request.headers['Authorization'] == 'Bearer secret-key'
    # Every other request keeps asking for JSON, and answers decode as before.
    api = client()
    accept = api.session.headers['Accept']
    get_text(api, '/api/v1/sbom', {'format': 'CSV'})
    assert api.session.headers['Accept'] == accept and '_handle' not in vars(api)
    assert api.request_count == 1
    responses.replace(responses.GET, BASE + '/api/v1/sbom', json={'message': 'A required attribute of the API request is missing.'},
                      status=400)
    with pytest.raises(ApiError) as info:
        get_text(client(), '/api/v1/sbom', {})
    assert info.value.status == 400 and 'required attribute' in str(info.value)


def test_parse_sbom_answer_copes_with_a_json_string():
    document = {'bomFormat': 'CycloneDX', 'components': []}
    assert parse_sbom_answer('cyclonedx', json.dumps(document)) == document
    assert parse_sbom_answer('cyclonedx', json.dumps(json.dumps(document))) == document
    assert parse_sbom_answer('csv', 'a,b\n') == 'a,b\n'
    with pytest.raises(ApiError, match='not JSON'):
        parse_sbom_answer('spdx', '<html/>')
    with pytest.raises(ApiError, match='not a JSON object'):
        parse_sbom_answer('spdx', '[1]')


def test_stable_view_ignores_volatile_fields_and_order():
    first = {'bomFormat': 'CycloneDX', 'serialNumber': 'urn:uuid:1', 'metadata': {'timestamp': 't1', 'component': {'name': 'x'}},
             'components': [{'purl': 'pkg:maven/a/b@1'}, {'purl': 'pkg:maven/c/d@1'}]}
    second = dict(first, serialNumber='urn:uuid:2', metadata={'timestamp': 't2', 'component': {'name': 'x'}},
                  components=list(reversed(first['components'])))
    third = dict(first, components=first['components'] + [{'purl': 'pkg:maven/e/f@1'}])
    view = stable_view('cyclonedx', render_sbom('cyclonedx', first))
    assert view == stable_view('cyclonedx', render_sbom('cyclonedx', second))
    assert view != stable_view('cyclonedx', render_sbom('cyclonedx', third))
    spdx_a = {'spdxVersion': 'SPDX-2.3', 'documentNamespace': 'https://x/1', 'creationInfo': {'created': 'a', 'creators': ['Tool: L']},
              'packages': [{'SPDXID': 'SPDXRef-Package-1', 'name': 'a'}, {'SPDXID': 'SPDXRef-Package-2', 'name': 'b'}]}
    spdx_b = dict(spdx_a, documentNamespace='https://x/2', creationInfo={'created': 'b', 'creators': ['Tool: L']},
                  packages=[{'SPDXID': 'SPDXRef-Package-7', 'name': 'b'}, {'SPDXID': 'SPDXRef-Package-8', 'name': 'a'}])
    assert stable_view('spdx', render_sbom('spdx', spdx_a)) == stable_view('spdx', render_sbom('spdx', spdx_b))
    spdx_c = dict(spdx_a, creationInfo={'created': 'a', 'creators': ['Tool: Other']})
    assert stable_view('spdx', render_sbom('spdx', spdx_a)) != stable_view('spdx', render_sbom('spdx', spdx_c))
    assert stable_view('csv', 'a,b\r\n1,2\r\n') == stable_view('csv', 'a,b\n1,2\n')
    assert stable_view('csv', 'a,b\n1,2\n3,4\n') == stable_view('csv', 'a,b\n3,4\n1,2\n')
    assert stable_view('cyclonedx', 'not json') is None


def test_findings_per_entry_and_version():
    packages, dummy, dummy = verdict([LOG4J, YAML, SLF4J])
    vulnerable = [
        {'id': 'CVE-2021-44228', 'severity': 'critical', 'purl': 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
         'classes': ['org.apache.logging.log4j.core.lookup.JndiLookup']},
        {'id': 'CVE-2022-1471', 'name': 'org.yaml:snakeyaml', 'classes': ['org.yaml.snakeyaml.constructor.Constructor']},
        'org.slf4j:slf4j-api',
        {'id': 'X-1', 'name': 'com.example:shipped', 'version': '1.0'},
        {'id': 'X-2', 'name': 'com.example:elsewhere'},
    ]
    shipped = [{'name': 'com.example:shipped', 'version': '1.0'}, {'name': 'org.yaml:snakeyaml', 'version': '1.33'}]
    result = findings(packages, vulnerable, shipped)
    assert [(f['name'], f['status'], f['reachable']) for f in result] == [
        ('org.apache.logging.log4j:log4j-core', 'LOADED_WITH_CLASSES', True),
        # snakeyaml was loaded, but its Constructor is not watched: nobody knows whether it was loaded.
        ('org.yaml:snakeyaml', 'NOT_REPORTED', False),
        ('org.slf4j:slf4j-api', 'NOT_LOADED', False),
        ('com.example:shipped', 'NOT_REPORTED', False),
        ('com.example:elsewhere', 'NOT_SHIPPED', False),
    ]
    assert result[0]['id'] == 'CVE-2021-44228' and result[0]['severity'] == 'critical'
    assert result[0]['vulnerable_classes_loaded'] == ['org.apache.logging.log4j.core.lookup.JndiLookup']
    assert result[2]['id'] is None and result[2]['classes'] == []
    assert result[1]['unwatched_classes'] == ['org.yaml.snakeyaml.constructor.Constructor']
    assert result[0]['unwatched_classes'] == [] and result[2]['unwatched_classes'] == []
    # Without the shipped list, anything missing is NOT_REPORTED.
    assert findings(packages, ['com.example:elsewhere'])[0]['status'] == 'NOT_REPORTED'
    with pytest.raises(SbomError, match=r"vulnerable\[0\]"):
        findings(packages, ['log4j'])
    with pytest.raises(SbomError, match='vulnerable must be a list'):
        findings(packages, 'org.a:a')


def test_findings_class_not_watched_is_not_reported():
    # log4j-core watched without classes, loaded: Lightrun cannot say whether JndiLookup was loaded.
    bare = dict(LOG4J, status='LOADED', classes=[])
    jndi = ['org.apache.logging.log4j.core.lookup.JndiLookup']
    finding = findings(verdict([bare])[0], [{'id': 'CVE-2021-44228', 'name': bare['packageName'], 'classes': jndi}])[0]
    assert (finding['status'], finding['reachable'], finding['unwatched_classes']) == ('NOT_REPORTED', False, jndi)
    # Watched and not loaded: a complete "not reachable".
    watched = dict(bare, classes=[{'name': jndi[0], 'status': 'NOT_LOADED'}])
    finding = findings(verdict([watched])[0], [{'name': bare['packageName'], 'classes': jndi}])[0]
    assert (finding['status'], finding['reachable'], finding['unwatched_classes']) == ('LOADED', False, [])
    # The package itself not loaded: none of its classes can have been.
    idle = dict(bare, status='NOT_LOADED')
    finding = findings(verdict([idle])[0], [{'name': bare['packageName'], 'classes': jndi}])[0]
    assert (finding['status'], finding['reachable']) == ('NOT_LOADED', False)
    # One listed class loaded: reachable, whatever the others are.
    finding = findings(verdict([LOG4J])[0], [{'name': bare['packageName'], 'classes': jndi + ['org.example.Other']}])[0]
    assert (finding['status'], finding['reachable']) == ('LOADED_WITH_CLASSES', True)


def _cdx(refs, edges, order=1):
    """A CycloneDX SBOM of three packages with generated bom-refs ``refs`` and the edges ``edges``."""
    purls = ['pkg:maven/org.a/a@1', 'pkg:maven/org.b/b@1', 'pkg:maven/org.c/c@1']
    components = [{'bom-ref': refs[i], 'purl': purl, 'name': purl} for i, purl in enumerate(purls)]
    dependencies = [{'ref': 'root-%s' % refs[0], 'dependsOn': [refs[i] for i in range(3)][::order]}]
    dependencies += [{'ref': refs[a], 'dependsOn': [refs[b]]} for a, b in edges]
    return {'bomFormat': 'CycloneDX', 'metadata': {'component': {'bom-ref': 'root-%s' % refs[0], 'name': 'app'}},
            'components': components[::order], 'dependencies': dependencies[::order]}


def test_stable_view_cyclonedx_compares_the_dependency_graph_by_package():
    first = _cdx(['r1', 'r2', 'r3'], [(0, 1)])
    # Regenerated bom-refs, every list in another order: the same content.
    again = _cdx(['x9', 'x8', 'x7'], [(0, 1)], order=-1)
    assert stable_view('cyclonedx', render_sbom('cyclonedx', first)) == stable_view('cyclonedx', render_sbom('cyclonedx', again))
    # A new dependency edge is a change, however the refs are generated.
    more = _cdx(['x9', 'x8', 'x7'], [(0, 1), (1, 2)])
    assert stable_view('cyclonedx', render_sbom('cyclonedx', first)) != stable_view('cyclonedx', render_sbom('cyclonedx', more))
    # So is an edge moved to another package.
    moved = _cdx(['r1', 'r2', 'r3'], [(0, 2)])
    assert stable_view('cyclonedx', render_sbom('cyclonedx', first)) != stable_view('cyclonedx', render_sbom('cyclonedx', moved))


def test_stable_view_spdx_keeps_relationships_apart_from_ids():
    def doc(ids, related):
        packages = [{'SPDXID': ids[i], 'name': name, 'versionInfo': '1'} for i, name in enumerate(['a', 'b', 'c'])]
        relationships = [{'spdxElementId': ids[a], 'relationshipType': 'DEPENDS_ON', 'relatedSpdxElement': ids[b]}
                         for a, b in related]
        return {'spdxVersion': 'SPDX-2.3', 'SPDXID': 'SPDXRef-DOCUMENT', 'packages': packages,
                'relationships': relationships, 'documentDescribes': [ids[0]]}
    first = doc(['SPDXRef-1', 'SPDXRef-2', 'SPDXRef-3'], [(0, 1), (0, 2)])
    renumbered = doc(['SPDXRef-7', 'SPDXRef-5', 'SPDXRef-6'], [(0, 2), (0, 1)])
    assert stable_view('spdx', render_sbom('spdx', first)) == stable_view('spdx', render_sbom('spdx', renumbered))
    # b depends on c instead of a on c: the same ids, another graph.
    changed = doc(['SPDXRef-1', 'SPDXRef-2', 'SPDXRef-3'], [(0, 1), (1, 2)])
    assert stable_view('spdx', render_sbom('spdx', first)) != stable_view('spdx', render_sbom('spdx', changed))


@responses.activate
def test_tags_without_pool_under_rbac_are_read_per_pool():
    responses.add(responses.GET, BASE + '/api/v1/tags', json={'message': 'A required attribute of the API request is missing.'},
                  status=400)
    responses.add(responses.GET, BASE + '/api/v1/agent-pools', json=page([{'id': 'p1', 'name': 'a'}, {'id': 'p2', 'name': 'b'}]))
    responses.add(responses.GET, BASE + '/api/v1/tags', json=page([{'id': 1, 'name': 'prod'}]))
    responses.add(responses.GET, BASE + '/api/v1/tags', json=page([{'id': 2, 'name': 'eu'}]))
    check_tags(client(), ['prod', 'eu'])
    pools = [parse_qs(urlparse(call.request.url).query).get('agentPoolId') for call in responses.calls
             if '/tags' in call.request.url]
    assert pools == [None, ['p1'], ['p2']]


@responses.activate
def test_a_403_names_the_permission_level_the_call_needed():
    responses.add(responses.GET, BASE + '/api/v1/agent-pools', status=403)
    with pytest.raises(ApiError) as info:
        resolve_agent_pool(client(), 'production')
    message = str(name_permission(info.value))
    assert 'GET /api/v1/agent-pools needs an API key with the DEV permission level' in message
    assert 'agent_pool_id needs no lookup' in message
    responses.add(responses.GET, BASE + '/api/v1/loaded-packages', status=403)
    with pytest.raises(ApiError) as info:
        read_loaded_packages(client(), {})
    assert 'the SECURITY permission level' in str(name_permission(info.value))
    other = ApiError('boom', method='GET', path='/api/v1/tags', status=500)
    assert str(name_permission(other)) == 'boom'
