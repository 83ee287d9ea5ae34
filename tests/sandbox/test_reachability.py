"""Tests of the sandbox's Runtime Reachability read side: loaded packages, tags and the dynamic SBOM."""

import csv
import io

import pytest

from apiops_sandbox.app import create_app

LR = '/lightrun/api/v1'
AUTH = {'Authorization': 'Bearer sandbox-lightrun-key'}
SBOM_ARGS = {'creationTime': '2026-11-23', 'sbomPackageName': 'shop', 'sbomSupplierName': 'Example',
             'sbomVersion': '1.4.0'}
SEED = {'lightrun': {
    'agent_pools': [{'name': 'prod'}],
    'packages': [
        {'packageName': 'org.apache.logging.log4j:log4j-core', 'version': '2.14.1',
         'classes': ['org.apache.logging.log4j.core.lookup.JndiLookup', 'org.apache.logging.log4j.core.Logger']},
        {'packageName': 'org.yaml:snakeyaml', 'version': '1.33'},
        {'packageName': 'org.slf4j:slf4j-api', 'version': '2.0.9', 'classes': ['org.slf4j.Logger']},
    ],
    'loaded_packages': [
        {'agent_pool': 'prod', 'tags': ['prod', 'eu'], 'date': '2026-11-20',
         'packageName': 'org.apache.logging.log4j:log4j-core', 'version': '2.14.1',
         'classes': ['org.apache.logging.log4j.core.lookup.JndiLookup']},
        {'agent_pool': 'prod', 'tags': ['prod'], 'date': '2026-11-01',
         'packageName': 'org.yaml:snakeyaml', 'version': '1.33', 'classes': ['org.yaml.snakeyaml.Yaml']},
        {'agent_pool': 'default', 'date': '2026-11-21', 'packageName': 'org.slf4j:slf4j-api', 'version': '2.0.9'},
        {'agent_pool': 'prod', 'date': '2026-11-21', 'packageName': 'com.google.guava:guava', 'version': '32.1.3'},
    ],
}}


@pytest.fixture(name='client', params=['standard', 'strict'])
def client_fixture(request):
    """A seeded sandbox per test, in each profile."""
    return create_app(quiet=True, profile=request.param, seed_data=SEED).test_client()


def pool_id(client, name):
    answer = client.get(LR + '/agent-pools', query_string={'limit': 100, 'size': 100, 'sort': 'name,asc'}, headers=AUTH)
    return next(item['id'] for item in answer.get_json()['items'] if item['name'] == name)


def loaded(client, **query):
    query.setdefault('limit', 100)
    query.setdefault('size', 100)
    answer = client.get(LR + '/loaded-packages', query_string=query, headers=AUTH)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def by_name(envelope):
    return {item['packageName']: item for item in envelope['items']}


def test_every_watched_package_with_its_status_and_classes(client):
    envelope = loaded(client)
    assert envelope['total'] == 3 and envelope['hasMore'] is False
    items = by_name(envelope)
    log4j = items['org.apache.logging.log4j:log4j-core']
    assert log4j['status'] == 'LOADED_WITH_CLASSES' and log4j['type'] == 'JAVA'
    assert {c['name']: c['status'] for c in log4j['classes']} == {
        'org.apache.logging.log4j.core.lookup.JndiLookup': 'LOADED', 'org.apache.logging.log4j.core.Logger': 'NOT_LOADED'}
    # Loaded, but none of its watched classes (it watches none): LOADED.
    assert items['org.yaml:snakeyaml']['status'] == 'LOADED' and items['org.yaml:snakeyaml']['classes'] == []
    # Loaded in the default pool, but its watched class was not: LOADED.
    assert items['org.slf4j:slf4j-api']['status'] == 'LOADED'
    # guava was loaded but is not watched: not listed.
    assert 'com.google.guava:guava' not in items


def test_agent_pool_dates_and_status_filters(client):
    prod = pool_id(client, 'prod')
    items = by_name(loaded(client, agentPoolId=prod))
    assert items['org.slf4j:slf4j-api']['status'] == 'NOT_LOADED'
    items = by_name(loaded(client, agentPoolId=prod, loadDateStart='2026-11-10', loadDateEnd='2026-11-30'))
    assert items['org.yaml:snakeyaml']['status'] == 'NOT_LOADED'
    assert items['org.apache.logging.log4j:log4j-core']['status'] == 'LOADED_WITH_CLASSES'
    only = loaded(client, status=['LOADED', 'LOADED_WITH_CLASSES'], agentPoolId=prod)
    assert sorted(by_name(only)) == ['org.apache.logging.log4j:log4j-core', 'org.yaml:snakeyaml']
    names = loaded(client, packageNames='org.yaml:snakeyaml,org.slf4j:slf4j-api', packageVersions=['1.33'])
    assert list(by_name(names)) == ['org.yaml:snakeyaml']


def test_tags_combination_differs_between_profiles():
    for profile, expected in (('standard', 'LOADED_WITH_CLASSES'), ('strict', 'NOT_LOADED')):
        client = create_app(quiet=True, profile=profile, seed_data=SEED).test_client()
        # The host carries prod and eu: "prod" alone matches in standard, not in strict.
        items = by_name(loaded(client, tags='prod'))
        assert items['org.apache.logging.log4j:log4j-core']['status'] == expected
        items = by_name(loaded(client, tags=['prod', 'eu']))
        assert items['org.apache.logging.log4j:log4j-core']['status'] == 'LOADED_WITH_CLASSES'


@pytest.mark.parametrize('query', [{'status': 'ACTIVE'}, {'loadDateStart': '20-11-2026'},
                                   {'loadDateStart': '2026-11-30', 'loadDateEnd': '2026-11-01'},
                                   {'agentPoolId': 'no-such-pool'}])
def test_bad_filters_are_400(client, query):
    answer = client.get(LR + '/loaded-packages', query_string=query, headers=AUTH)
    assert answer.status_code == 400


def test_loaded_packages_page_like_every_listing(client):
    client.post('/_sandbox/seed', json={'lightrun': {'generate_packages': {'count': 45, 'prefix': 'com.gen'},
                                                     'generate_loaded_packages': {'count': 45, 'prefix': 'com.gen'}}})
    seen = []
    # Strict refuses a sort here and orders unsorted pages anew on every request (as every strict
    # listing): only a read in one page is stable there.
    size = 100 if client.get('/_sandbox/state').get_json()['settings']['profile'] == 'strict' else 20
    for offset in range(0, 60, size):
        page = loaded(client, offset=offset, limit=size, page=offset // size, size=size)
        seen.extend((item['packageName'], item['version']) for item in page['items'])
    assert len(seen) == len(set(seen)) == 48
    assert page['hasMore'] is False and page['total'] == 48


def test_unauthenticated_is_401(client):
    assert client.get(LR + '/loaded-packages').status_code == 401
    assert client.get(LR + '/sbom', query_string=dict(SBOM_ARGS, format='SPDX')).status_code == 401


def test_tags_listing_and_wildcard(client):
    # Without RBAC the pool may be left out in either profile.
    client.post('/_sandbox/seed', json={'lightrun': {'rbac': False}})
    answer = client.get(LR + '/tags', query_string={'sort': 'name,asc', 'limit': 50, 'size': 50}, headers=AUTH).get_json()
    assert [item['name'] for item in answer['items']] == ['eu', 'prod']
    assert all(isinstance(item['id'], int) for item in answer['items'])
    answer = client.get(LR + '/tags', query_string={'name': 'p*', 'sort': 'name,asc'}, headers=AUTH).get_json()
    assert [item['name'] for item in answer['items']] == ['prod']


def test_tags_need_a_pool_under_rbac_in_strict_only():
    for profile, status in (('standard', 200), ('strict', 400)):
        client = create_app(quiet=True, profile=profile, seed_data=SEED).test_client()
        assert client.get(LR + '/tags', headers=AUTH).status_code == status
        assert client.get(LR + '/tags', query_string={'agentPoolId': pool_id(client, 'prod')}, headers=AUTH).status_code == 200


def test_reachability_permission_levels(client):
    client.put('/_sandbox/settings', json={'lightrun_key_levels': ['SECURITY']})
    assert client.get(LR + '/tags', query_string={'agentPoolId': 'x'}, headers=AUTH).status_code == 403
    assert client.get(LR + '/loaded-packages', headers=AUTH).status_code == 200
    client.put('/_sandbox/settings', json={'lightrun_key_levels': ['DEV']})
    assert client.get(LR + '/loaded-packages', headers=AUTH).status_code == 403


def sbom(client, fmt, **extra):
    query = dict(SBOM_ARGS, format=fmt, agentPoolId=pool_id(client, 'prod'), **extra)
    return client.get(LR + '/sbom', query_string=query, headers=dict(AUTH, Accept='application/json, text/plain'))


def test_sbom_required_attributes_and_pool(client):
    for missing in ('creationTime', 'format', 'sbomPackageName', 'sbomSupplierName', 'sbomVersion'):
        query = dict(SBOM_ARGS, format='SPDX', agentPoolId=pool_id(client, 'prod'))
        del query[missing]
        answer = client.get(LR + '/sbom', query_string=query, headers=AUTH)
        assert answer.status_code == 400
        assert answer.get_json() == {'message': 'A required attribute of the API request is missing.'}
    # Two pools (default and prod): the pool is required.
    answer = client.get(LR + '/sbom', query_string=dict(SBOM_ARGS, format='SPDX'), headers=AUTH)
    assert answer.status_code == 400
    assert client.get(LR + '/sbom', query_string=dict(SBOM_ARGS, format='XML', agentPoolId=pool_id(client, 'prod')),
                      headers=AUTH).status_code == 400


def test_sbom_spdx_cyclonedx_and_csv_shapes(client):
    spdx = sbom(client, 'SPDX').get_json()
    assert spdx['spdxVersion'] == 'SPDX-2.3' and spdx['SPDXID'] == 'SPDXRef-DOCUMENT'
    purls = [ref['referenceLocator'] for package in spdx['packages'] for ref in package['externalRefs']]
    purls = sorted(purls)
    assert purls == ['pkg:maven/com.google.guava/guava@32.1.3', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
                     'pkg:maven/org.yaml/snakeyaml@1.33']
    assert {rel['relationshipType'] for rel in spdx['relationships']} == {'DESCRIBES', 'RUNTIME_DEPENDENCY_OF'}
    second = sbom(client, 'SPDX').get_json()
    assert second['documentNamespace'] != spdx['documentNamespace']
    cdx = sbom(client, 'CYCLONE_DX').get_json()
    assert cdx['bomFormat'] == 'CycloneDX' and cdx['serialNumber'].startswith('urn:uuid:')
    assert sorted(c['purl'] for c in cdx['components']) == purls
    assert cdx['metadata']['timestamp'] and cdx['metadata']['component']['name'] == 'shop'
    narrowed = sbom(client, 'CYCLONE_DX', packageNames='org.yaml:snakeyaml').get_json()
    assert [c['name'] for c in narrowed['components']] == ['snakeyaml']
    answer = sbom(client, 'CSV')
    assert answer.mimetype == 'text/plain'
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ['packageName', 'version', 'purl', 'status'] and len(rows) == 4


def test_sbom_generated_ids_are_stable_in_standard_only():
    for profile in ('standard', 'strict'):
        client = create_app(quiet=True, profile=profile, seed_data=SEED).test_client()
        refs = [[c['bom-ref'] for c in sbom(client, 'CYCLONE_DX').get_json()['components']] for dummy in range(2)]
        ids = [sorted(p['SPDXID'] for p in sbom(client, 'SPDX').get_json()['packages']) for dummy in range(2)]
        # Standard keeps purls as bom-refs and numbers SPDX ids; strict generates both anew each time.
        assert (refs[0] == refs[1]) == (profile == 'standard')
        assert (ids[0] == ids[1]) == (profile == 'standard')
        cdx = sbom(client, 'CYCLONE_DX').get_json()
        assert sorted(cdx['dependencies'][0]['dependsOn']) == sorted(c['bom-ref'] for c in cdx['components'])


def test_sbom_csv_needs_text_plain_in_strict_only():
    for profile, status in (('standard', 200), ('strict', 406)):
        client = create_app(quiet=True, profile=profile, seed_data=SEED).test_client()
        query = dict(SBOM_ARGS, format='CSV', agentPoolId=pool_id(client, 'prod'))
        answer = client.get(LR + '/sbom', query_string=query, headers=dict(AUTH, Accept='application/json'))
        assert answer.status_code == status


def test_seed_errors_and_state(client):
    assert client.post('/_sandbox/seed', json={'lightrun': {'loaded_packages': [{'packageName': 'a:b'}]}}).status_code == 400
    bad_pool = {'lightrun': {'loaded_packages': [{'packageName': 'a:b', 'version': '1', 'agent_pool': 'nope'}]}}
    assert client.post('/_sandbox/seed', json=bad_pool).status_code == 400
    bad_date = {'lightrun': {'loaded_packages': [{'packageName': 'a:b', 'version': '1', 'date': 'yesterday'}]}}
    assert client.post('/_sandbox/seed', json=bad_date).status_code == 400
    state = client.get('/_sandbox/state').get_json()['reachability']
    assert len(state['loaded_packages']) == 4 and sorted(state['tags']) == ['eu', 'prod']
    client.post('/_sandbox/reset')
    assert client.get('/_sandbox/state').get_json()['reachability'] == {'loaded_packages': [], 'tags': {}}


def test_loaded_packages_sort_refused_in_strict_only():
    for profile, status in (('standard', 200), ('strict', 400)):
        client = create_app(quiet=True, profile=profile, seed_data=SEED).test_client()
        answer = client.get(LR + '/loaded-packages', query_string={'sort': 'packageName,version,asc'}, headers=AUTH)
        assert answer.status_code == status
