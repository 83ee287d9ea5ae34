# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""SBOM parsing (CycloneDX JSON and SPDX JSON) on the real fixtures and on small hand-made documents."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.apiops.saas.plugins.module_utils.lightrun.sbom import (
    SbomError,
    parse_maven_purl,
    purl_type,
    sbom_packages,
)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
FIXTURES = os.path.join(ROOT, 'tests', 'integration', 'targets', 'filter_sbom_packages', 'files')


def fixture(name):
    return os.path.join(FIXTURES, name)


def cyclonedx(*components, **extra):
    return dict({'bomFormat': 'CycloneDX', 'specVersion': '1.6', 'components': list(components)}, **extra)


def spdx(*packages, **extra):
    return dict({'spdxVersion': 'SPDX-2.3', 'SPDXID': 'SPDXRef-DOCUMENT', 'packages': list(packages)}, **extra)


def spdx_package(spdx_id, purl, version=None):
    package = {'SPDXID': spdx_id, 'name': spdx_id, 'externalRefs': [
        {'referenceCategory': 'PACKAGE-MANAGER', 'referenceType': 'purl', 'referenceLocator': purl}]}
    if version:
        package['versionInfo'] = version
    return package


# Vectors from the purl specification's test suite (maven entries) and Maven Central usage.
@pytest.mark.parametrize('purl, expected', [
    ('pkg:maven/org.apache.commons/io@1.3.4', ('org.apache.commons', 'io', '1.3.4')),
    ('pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?packaging=sources', ('org.apache.xmlgraphics', 'batik-anim', '1.9.1')),
    ('pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?repository_url=repo.spring.io%2Frelease',
     ('org.apache.xmlgraphics', 'batik-anim', '1.9.1')),
    ('pkg:Maven/net.sf.jacob-project/jacob@1.14.3?classifier=x86&type=dll', ('net.sf.jacob-project', 'jacob', '1.14.3')),
    ('pkg:maven/groovy/groovy@1.0', ('groovy', 'groovy', '1.0')),
    ('pkg:maven/org.example/app', ('org.example', 'app', None)),
    ('pkg:maven/org.example/app@1.0%2Bbuild.5#sub/path', ('org.example', 'app', '1.0+build.5')),
])
def test_maven_purls(purl, expected):
    assert parse_maven_purl(purl) == expected
    assert purl_type(purl) == 'maven'


@pytest.mark.parametrize('purl', ['pkg:maven/only-name@1.0', 'pkg:npm/left-pad@1.3.0', 'maven/org.a/b@1', 'pkg:maven/org.a/b@'])
def test_bad_maven_purls(purl):
    with pytest.raises(ValueError):
        parse_maven_purl(purl)


def test_purl_types():
    assert purl_type('pkg:deb/debian/curl@7.88.1-10?arch=amd64') == 'deb'
    assert purl_type('pkg:npm/%40angular/core@17.0.0') == 'npm'
    assert purl_type('not a purl') is None
    assert purl_type(None) is None


def test_cyclonedx_maven_plugin_fixture():
    result = sbom_packages(fixture('cyclonedx-maven-plugin.json'), with_summary=True)
    summary = result['summary']
    assert summary['format'] == 'cyclonedx' and summary['spec_version'] == '1.6'
    assert summary['components'] == summary['maven'] == len(result['packages']) == 235
    keys = [(p['name'], p['version']) for p in result['packages']]
    assert keys == sorted(set(keys))
    # The application itself (metadata.component) is not one of its dependencies.
    assert 'com.example.shop:shop-service' not in [p['name'] for p in result['packages']]
    log4j = [p for p in result['packages'] if p['name'] == 'org.apache.logging.log4j:log4j-core'][0]
    assert log4j['classes'] == ['org.apache.logging.log4j.core.lookup.JndiLookup',
                                'org.apache.logging.log4j.core.net.JndiManager']


def test_syft_fixture_skips_and_deduplicates():
    result = sbom_packages(fixture('syft-image.cdx.json'), with_summary=True)
    assert result['summary']['skipped_by_type'] == {'deb': 250, 'no purl': 1, 'pypi': 39}
    assert result['summary']['duplicates'] == 34
    assert len(result['packages']) == 235
    assert all('classes' not in p for p in result['packages'])


def test_spdx_fixture_gives_the_same_packages():
    cdx = sbom_packages(fixture('cyclonedx-maven-plugin.json'))
    result = sbom_packages(fixture('trivy-image.spdx.json'), with_summary=True)
    assert [(p['name'], p['version']) for p in result['packages']] == [(p['name'], p['version']) for p in cdx]
    assert result['summary']['format'] == 'spdx' and result['summary']['spec_version'] == 'SPDX-2.3'
    # The described root package is left out and not counted.
    assert result['summary']['components'] == 435


def test_no_maven_and_empty_fixtures():
    assert sbom_packages(fixture('no-maven.cdx.json')) == []
    assert sbom_packages(fixture('empty.cdx.json'), with_summary=True)['summary']['components'] == 0


def test_text_and_parsed_data_work_like_a_path():
    with open(fixture('trivy-image.spdx.json'), encoding='utf-8') as handle:
        text = handle.read()
    assert sbom_packages(text) == sbom_packages(json.loads(text)) == sbom_packages(fixture('trivy-image.spdx.json'))


def test_cyclonedx_nested_components_group_without_purl_and_frames():
    doc = cyclonedx(
        {'type': 'library', 'group': 'org.example', 'name': 'outer', 'version': '1.0', 'components': [
            {'type': 'library', 'purl': 'pkg:maven/org.example/inner@2.0',
             'evidence': {'callstack': {'frames': [{'package': 'org.example.inner', 'module': 'Parser'},
                                                   {'module': 'org.example.inner.Lexer'}, {'function': 'x'}]}}}]},
        {'type': 'library', 'group': '@angular', 'name': 'core', 'version': '17.0.0'},
        {'type': 'operating-system', 'name': 'debian', 'version': '12'},
        {'type': 'library', 'purl': 'pkg:maven/org.example/inner@2.0', 'evidence': {'callstack': {'frames': [
            {'module': 'org.example.inner.Extra'}]}}},
    )
    result = sbom_packages(doc, with_summary=True)
    assert result['packages'] == [
        {'name': 'org.example:inner', 'version': '2.0',
         'classes': ['org.example.inner.Extra', 'org.example.inner.Lexer', 'org.example.inner.Parser']},
        {'name': 'org.example:outer', 'version': '1.0'},
    ]
    assert result['summary']['components'] == 5
    assert result['summary']['duplicates'] == 1
    assert result['summary']['skipped_by_type'] == {'no purl': 2}
    # Without the SBOM's own classes: only what the selection flags, nothing the evidence adds.
    flagged = [{'name': 'org.example:inner', 'classes': ['org.example.inner.Parser']}, 'org.example:outer']
    assert sbom_packages(doc, only=flagged, source_classes=False) == [
        {'name': 'org.example:inner', 'version': '2.0', 'classes': ['org.example.inner.Parser']},
        {'name': 'org.example:outer', 'version': '1.0'},
    ]
    assert sbom_packages([{'name': 'org.a:a', 'version': '1', 'classes': ['org.a.A']}], source_classes=False) == [
        {'name': 'org.a:a', 'version': '1'}]


def test_spdx_described_packages_and_version_from_version_info():
    doc = spdx(spdx_package('SPDXRef-app', 'pkg:maven/com.example/app@1.0'),
               spdx_package('SPDXRef-a', 'pkg:maven/org.a/a', version='3.1'),
               spdx_package('SPDXRef-b', 'pkg:pypi/requests@2.32.0'),
               {'SPDXID': 'SPDXRef-c', 'name': 'no refs'},
               documentDescribes=['SPDXRef-app'])
    result = sbom_packages(doc, with_summary=True)
    assert result['packages'] == [{'name': 'org.a:a', 'version': '3.1'}]
    assert result['summary']['skipped_by_type'] == {'no purl': 1, 'pypi': 1}


def test_only_and_classes_narrow_and_add():
    doc = cyclonedx({'purl': 'pkg:maven/org.a/a@1.0'}, {'purl': 'pkg:maven/org.a/a@2.0'}, {'purl': 'pkg:maven/org.b/b@1.0'})
    result = sbom_packages(doc, only=['org.a:a:2.0', {'purl': 'pkg:maven/org.b/b', 'classes': ['org.b.B'], 'id': 'CVE-1'},
                                      'org.c:c'],
                           classes={'org.a:a': ['org.a.A'], 'pkg:maven/org.b/b@1.0': ['org.b.C']}, with_summary=True)
    assert result['packages'] == [{'name': 'org.a:a', 'version': '2.0', 'classes': ['org.a.A']},
                                  {'name': 'org.b:b', 'version': '1.0', 'classes': ['org.b.B', 'org.b.C']}]
    assert result['summary']['not_found'] == ['org.c:c']
    assert [p['version'] for p in sbom_packages(doc, only=['org.a:a'])] == ['1.0', '2.0']


UNWATCHABLE = [
    (cyclonedx({'purl': 'pkg:maven/org.a/a'}), 'components[0] (pkg:maven/org.a/a): a Maven component without a version'),
    (cyclonedx({'purl': 'pkg:maven/org.a/a@1.0 beta'}), "version '1.0 beta' is not a valid Maven version"),
    (cyclonedx({'purl': 'pkg:maven/org.a/a@1.0%20(patched)'}), "version '1.0 (patched)' is not a valid Maven version"),
    (cyclonedx({'purl': 'pkg:maven/org.a/a@1', 'evidence': {'callstack': {'frames': [{'module': 'not a class'}]}}}),
     'components[0] (pkg:maven/org.a/a@1): classes[0]'),
    (spdx(spdx_package('SPDXRef-1', 'pkg:maven/org.a/a')), 'packages[0] (pkg:maven/org.a/a): a Maven component without a version'),
    (spdx(spdx_package('SPDXRef-1', 'pkg:maven/org.a/a', version='NOASSERTION')),
     'packages[0] (pkg:maven/org.a/a): a Maven component without a version'),
]


@pytest.mark.parametrize('doc, message', [
    ([1, 2], 'the document is a JSON list'),
    ({'name': 'shop', 'dependencies': {}}, 'neither a CycloneDX JSON document'),
    (cyclonedx({'purl': 'pkg:maven/a@1'}), 'components[0] (pkg:maven/a@1): malformed Maven purl'),
    (cyclonedx({'purl': 'maven:org.a/a@1', 'name': 'x'}), 'is not a package URL'),
    (cyclonedx('text'), 'components[0]: a component must be an object'),
    (dict(cyclonedx(), components={}), '"components" must be a list'),
    (spdx('x'), 'packages[0]: a package must be an object'),
] + UNWATCHABLE)
def test_bad_documents_name_the_entry(tmp_path, doc, message):
    path = tmp_path / 'bom.json'
    path.write_text(json.dumps(doc), encoding='utf-8')
    with pytest.raises(SbomError) as info:
        # A package Lightrun cannot watch fails when it is selected (flagged).
        sbom_packages(str(path), only=['org.a:a', 'org.z:z'])
    assert str(info.value).startswith(str(path) + ': ')
    assert message in str(info.value)


@pytest.mark.parametrize('doc, message', UNWATCHABLE)
def test_unwatchable_entries_not_selected_are_skipped(doc, message):
    others = [{'purl': 'pkg:maven/org.b/b@2.0'}]
    if 'bomFormat' in doc:
        doc = dict(doc, components=doc['components'] + others)
    else:
        doc = dict(doc, packages=doc['packages'] + [spdx_package('SPDXRef-2', others[0]['purl'])])
    result = sbom_packages(doc, with_summary=True)
    assert result['packages'] == [{'name': 'org.b:b', 'version': '2.0'}]
    assert len(result['summary']['unwatchable']) == 1 and message in result['summary']['unwatchable'][0]
    assert sbom_packages(doc, only=['org.b:b', 'org.a:a:9.9']) == [{'name': 'org.b:b', 'version': '2.0'}]
    packages, unwatchable = sbom_packages(doc, with_unwatchable=True)
    assert packages == result['packages'] and unwatchable == result['summary']['unwatchable']


def test_unreadable_inputs(tmp_path):
    with pytest.raises(SbomError, match='cannot read the SBOM file'):
        sbom_packages(str(tmp_path / 'missing.json'))
    bad = tmp_path / 'bom.xml'
    bad.write_text('<bom/>', encoding='utf-8')
    with pytest.raises(SbomError, match='bom.xml: not a JSON document'):
        sbom_packages(str(bad))
    with pytest.raises(SbomError, match='must be a path to a JSON file'):
        sbom_packages(42)
    with pytest.raises(SbomError, match='the SBOM given as text: not a JSON document'):
        sbom_packages('{"bomFormat": ')


@pytest.mark.parametrize('kwargs, message', [
    ({'only': 'org.a:a'}, 'only must be a list'),
    ({'only': ['a']}, 'only[0]'),
    ({'only': [{'version': '1'}]}, 'a dict needs "name"'),
    ({'only': [{'name': 'org.a:a', 'version': 1.1}]}, 'version must be a string'),
    ({'classes': ['org.a.A']}, 'classes must be a mapping'),
    ({'classes': {'org.a:a': 'org.a.A'}}, "classes['org.a:a']: must be a list"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(SbomError) as info:
        sbom_packages(cyclonedx(), **kwargs)
    assert message in str(info.value)


def test_package_list_input():
    items = ['org.a:a:1.0', {'name': 'org.b:b', 'version': '2.0', 'classes': ['org.b.B']},
             'pkg:maven/org.c/c@3.0', 'pkg:npm/left-pad@1.3.0', 'org.a:a:1.0']
    result = sbom_packages(items, only=['org.b:b', 'org.c:c', 'org.a:a:1.0'], with_summary=True)
    assert result['packages'] == [{'name': 'org.a:a', 'version': '1.0'},
                                  {'name': 'org.b:b', 'version': '2.0', 'classes': ['org.b.B']},
                                  {'name': 'org.c:c', 'version': '3.0'}]
    assert result['summary']['format'] == 'list' and result['summary']['spec_version'] is None
    assert result['summary']['skipped_by_type'] == {'npm': 1} and result['summary']['duplicates'] == 1
    with pytest.raises(SbomError, match=r"the package list: \[1\] \('log4j'\)"):
        sbom_packages(['org.a:a:1.0', 'log4j'])
    with pytest.raises(SbomError, match=r'the package list: \[0\] \(pkg:maven/a@1\): malformed Maven purl'):
        sbom_packages(['pkg:maven/a@1'])
