# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Regenerate the SBOM fixtures of this folder (see README.md beside this file).

Real data from the machine it runs on: Maven coordinates, jar hashes and class names from
Debian's /usr/share/maven-repo (install the -java packages the README lists), Debian packages
from dpkg, Python packages from the running interpreter. The documents are built with
cyclonedx-python-lib (and validated against the official CycloneDX JSON schema) and spdx-tools
(validated by its SPDX 2.3 validator before writing). Output is deterministic for one machine:
fixed timestamps, serial numbers derived from the content.

    python3 -m venv /tmp/sbomgen && /tmp/sbomgen/bin/pip install 'cyclonedx-python-lib[json-validation]' spdx-tools
    /tmp/sbomgen/bin/python generate_sboms.py [OUTPUT_DIR]
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
import zipfile
from importlib import metadata

try:
    from cyclonedx.model import ExternalReference, ExternalReferenceType, HashAlgorithm, HashType, Property, XsUri
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentScope, ComponentType
    from cyclonedx.model.component_evidence import CallStack, CallStackFrame, ComponentEvidence
    from cyclonedx.model.tool import ToolRepository
    from cyclonedx.output.json import JsonV1Dot5, JsonV1Dot6
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from packageurl import PackageURL
    from spdx_tools.spdx.model import (Actor, ActorType, CreationInfo, Document, ExternalPackageRef,
                                       ExternalPackageRefCategory, Package, Relationship, RelationshipType)
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
    from spdx_tools.spdx.writer.json.json_writer import write_document_to_file
except ImportError as exc:  # pragma: no cover - a developer tool
    sys.exit('generate_sboms.py needs cyclonedx-python-lib[json-validation] and spdx-tools: %s' % exc)

MAVEN_REPO = '/usr/share/maven-repo'
POM_NS = {'m': 'http://maven.apache.org/POM/4.0.0'}
MOMENT = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=datetime.timezone.utc)
NAMESPACE = uuid.UUID('6f1c2a1e-4d1b-4f0e-9d43-5c2f8f0b2a13')
APP = ('com.example.shop', 'shop-service', '1.4.0')
# Classes the reachability tests watch; each is checked to be in the real jar.
EVIDENCE = {
    ('org.apache.logging.log4j', 'log4j-core'): [
        'org.apache.logging.log4j.core.lookup.JndiLookup', 'org.apache.logging.log4j.core.net.JndiManager'],
    ('org.apache.commons', 'commons-text'): ['org.apache.commons.text.StringSubstitutor'],
    ('com.thoughtworks.xstream', 'xstream'): ['com.thoughtworks.xstream.XStream'],
}


def _text(element, path):
    found = element.find(path, POM_NS)
    return found.text.strip() if found is not None and found.text else None


def maven_artifacts():
    """Real (groupId, artifactId, version, jar path or None) of /usr/share/maven-repo, sorted."""
    result = {}
    for folder, dummy, files in os.walk(MAVEN_REPO):
        for name in files:
            if not name.endswith('.pom'):
                continue
            path = os.path.join(folder, name)
            version_dir = os.path.basename(folder)
            # Debian's alias versions ("debian", "3.x") are symlinks to the real ones.
            if version_dir == 'debian' or not re.match(r'^\d', version_dir) or '.x' in version_dir or 'SNAPSHOT' in version_dir:
                continue
            root = ET.parse(path).getroot()
            group = _text(root, 'm:groupId') or _text(root, 'm:parent/m:groupId')
            artifact = _text(root, 'm:artifactId')
            if not group or not artifact or '$' in group + artifact:
                continue
            jar = path[:-4] + '.jar'
            result[(group, artifact, version_dir)] = jar if os.path.exists(jar) else None
    return [key + (jar,) for key, jar in sorted(result.items())]


def sha256(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def jar_classes(jar):
    with zipfile.ZipFile(jar) as archive:
        return {name[:-6].replace('/', '.') for name in archive.namelist() if name.endswith('.class')}


def debian_packages():
    out = subprocess.run(['dpkg-query', '-W', '-f', '${Package}\t${Version}\t${Architecture}\n'],
                         check=True, capture_output=True, text=True).stdout
    return sorted(tuple(line.split('\t')) for line in out.splitlines() if line.count('\t') == 2)


def python_packages():
    seen = {}
    for dist in metadata.distributions():
        name = dist.metadata['Name']
        if name:
            seen[name.lower()] = dist.version
    return sorted(seen.items())


def maven_component(group, artifact, version, jar, with_evidence, bom_ref=None, properties=()):
    purl = PackageURL('maven', group, artifact, version, {'type': 'jar'})
    component = Component(
        type=ComponentType.LIBRARY, group=group, name=artifact, version=version, purl=purl,
        bom_ref=bom_ref or purl.to_string(), scope=ComponentScope.REQUIRED, properties=list(properties))
    if jar:
        component.hashes.add(HashType(alg=HashAlgorithm.SHA_256, content=sha256(jar)))
    classes = EVIDENCE.get((group, artifact))
    if with_evidence and classes and jar:
        present = jar_classes(jar)
        missing = [name for name in classes if name not in present]
        if missing:
            raise SystemExit('%s:%s has no class %s' % (group, artifact, missing))
        component.evidence = ComponentEvidence(callstack=CallStack(frames=[
            CallStackFrame(module=name, function='lookup' if 'Jndi' in name else 'replace') for name in classes]))
    return component


def finish(bom, outputter_class, schema_version, path):
    text = outputter_class(bom).output_as_string(indent=2)
    errors = JsonStrictValidator(schema_version).validate_str(text)
    if errors:
        raise SystemExit('%s does not validate: %s' % (path, errors))
    data = json.loads(text)
    # A stable serial number for one content: regenerating on the same machine changes nothing.
    data['serialNumber'] = 'urn:uuid:%s' % uuid.uuid5(NAMESPACE, json.dumps(data.get('components'), sort_keys=True))
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(data, handle, indent=2)
        handle.write('\n')
    print('%s: %d components' % (path, len(data.get('components', []))))


def new_bom(tool_name, tool_version, app=True):
    bom = Bom()
    bom.metadata.timestamp = MOMENT
    bom.metadata.tools = ToolRepository(components=[Component(type=ComponentType.APPLICATION, name=tool_name,
                                                              version=tool_version)])
    if app:
        group, artifact, version = APP
        bom.metadata.component = Component(type=ComponentType.APPLICATION, group=group, name=artifact, version=version,
                                           purl=PackageURL('maven', group, artifact, version, {'type': 'jar'}),
                                           bom_ref='pkg:maven/%s/%s@%s?type=jar' % APP)
    return bom


def maven_plugin_bom(artifacts, path):
    """As the CycloneDX Maven plugin writes it (plus call-stack evidence on three components)."""
    bom = new_bom('cyclonedx-maven-plugin', '2.9.1')
    for group, artifact, version, jar in artifacts:
        component = maven_component(group, artifact, version, jar, with_evidence=True)
        component.external_references.add(ExternalReference(
            type=ExternalReferenceType.DISTRIBUTION, url=XsUri('https://repo.maven.apache.org/maven2/%s/%s/%s/'
                                                               % (group.replace('.', '/'), artifact, version))))
        bom.components.add(component)
        bom.register_dependency(bom.metadata.component, [component])
    finish(bom, JsonV1Dot6, SchemaVersion.V1_6, path)


def syft_image_bom(artifacts, debs, pythons, path):
    """As Syft writes a container image: Debian, Python and Java packages, jars found twice."""
    bom = new_bom('syft', '1.18.1', app=False)
    bom.metadata.component = Component(type=ComponentType.CONTAINER, name='registry.example.com/shop-service',
                                       version='sha256:' + hashlib.sha256(b'shop-service:1.4.0').hexdigest(),
                                       bom_ref='image-shop-service')
    bom.components.add(Component(type=ComponentType.OPERATING_SYSTEM, name='debian', version='12',
                                 bom_ref='os-debian-12'))
    for package, version, arch in debs:
        purl = PackageURL('deb', 'debian', package, version, {'arch': arch, 'distro': 'debian-12'})
        bom.components.add(Component(type=ComponentType.LIBRARY, name=package, version=version, purl=purl,
                                     bom_ref='deb-%s-%s' % (package, arch),
                                     properties=[Property(name='syft:package:type', value='deb')]))
    for name, version in pythons:
        bom.components.add(Component(type=ComponentType.LIBRARY, name=name, version=version,
                                     purl=PackageURL('pypi', None, name, version), bom_ref='pypi-%s' % name,
                                     properties=[Property(name='syft:package:type', value='python')]))
    for index, (group, artifact, version, jar) in enumerate(artifacts):
        locations = ['/app/lib/%s-%s.jar' % (artifact, version)]
        if index % 7 == 0:
            # Syft reports a jar found in two places twice, with two bom-refs.
            locations.append('/opt/tools/lib/%s-%s.jar' % (artifact, version))
        for number, location in enumerate(locations):
            bom.components.add(maven_component(
                group, artifact, version, jar, with_evidence=False, bom_ref='java-%s-%s-%d' % (artifact, version, number),
                properties=[Property(name='syft:package:type', value='java-archive'),
                            Property(name='syft:location:0:path', value=location)]))
    finish(bom, JsonV1Dot5, SchemaVersion.V1_5, path)


def no_maven_bom(debs, pythons, path):
    bom = new_bom('syft', '1.18.1', app=False)
    for package, version, arch in debs:
        bom.components.add(Component(type=ComponentType.LIBRARY, name=package, version=version,
                                     purl=PackageURL('deb', 'debian', package, version, {'arch': arch}),
                                     bom_ref='deb-%s' % package))
    for name, version in pythons:
        bom.components.add(Component(type=ComponentType.LIBRARY, name=name, version=version,
                                     purl=PackageURL('pypi', None, name, version), bom_ref='pypi-%s' % name))
    finish(bom, JsonV1Dot6, SchemaVersion.V1_6, path)


def empty_bom(path):
    finish(new_bom('cyclonedx-gradle-plugin', '1.10.0'), JsonV1Dot6, SchemaVersion.V1_6, path)


def trivy_spdx(artifacts, debs, path):
    """SPDX 2.3 JSON as Trivy writes an image: a described root, Debian and Java packages with purls."""
    creation = CreationInfo(
        spdx_version='SPDX-2.3', spdx_id='SPDXRef-DOCUMENT', name='registry.example.com/shop-service:1.4.0',
        document_namespace='http://aquasecurity.github.io/trivy/container_image/shop-service-%s'
                           % uuid.uuid5(NAMESPACE, 'spdx'),
        creators=[Actor(ActorType.ORGANIZATION, 'aquasecurity'), Actor(ActorType.TOOL, 'trivy-0.58.1')],
        created=MOMENT.replace(tzinfo=None))
    document = Document(creation)
    root = Package(spdx_id='SPDXRef-ContainerImage-shop-service', name='registry.example.com/shop-service',
                   download_location=SpdxNoAssertion(), files_analyzed=False, version='1.4.0')
    document.packages.append(root)
    document.relationships.append(Relationship('SPDXRef-DOCUMENT', RelationshipType.DESCRIBES, root.spdx_id))
    for index, (package, version, arch) in enumerate(debs):
        purl = PackageURL('deb', 'debian', package, version, {'arch': arch, 'distro': 'debian-12'}).to_string()
        spdx_id = 'SPDXRef-Package-deb-%d' % index
        document.packages.append(Package(
            spdx_id=spdx_id, name=package, version=version, download_location=SpdxNoAssertion(),
            files_analyzed=False, supplier=SpdxNoAssertion(),
            external_references=[ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, 'purl', purl)]))
        document.relationships.append(Relationship(root.spdx_id, RelationshipType.CONTAINS, spdx_id))
    for index, (group, artifact, version, jar) in enumerate(artifacts):
        purl = PackageURL('maven', group, artifact, version).to_string()
        spdx_id = 'SPDXRef-Package-jar-%d' % index
        document.packages.append(Package(
            spdx_id=spdx_id, name='%s:%s' % (group, artifact), version=version, download_location=SpdxNoAssertion(),
            files_analyzed=False, supplier=SpdxNoAssertion(),
            external_references=[ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, 'purl', purl)]))
        document.relationships.append(Relationship(root.spdx_id, RelationshipType.CONTAINS, spdx_id))
    # write_document_to_file validates the document (spdx-tools' SPDX 2.3 validator) and refuses an invalid one.
    write_document_to_file(document, path, validate=True)
    with open(path, encoding='utf-8') as handle:
        data = json.load(handle)
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(data, handle, indent=2)
        handle.write('\n')
    print('%s: %d packages' % (path, len(data['packages'])))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    artifacts = maven_artifacts()
    debs = debian_packages()
    pythons = python_packages()
    if len(artifacts) < 150:
        raise SystemExit('only %d Maven artifacts in %s: install the -java packages the README lists' % (len(artifacts), MAVEN_REPO))
    maven_plugin_bom(artifacts, os.path.join(out, 'cyclonedx-maven-plugin.json'))
    syft_image_bom(artifacts, debs[:250], pythons, os.path.join(out, 'syft-image.cdx.json'))
    trivy_spdx(artifacts, debs[:200], os.path.join(out, 'trivy-image.spdx.json'))
    no_maven_bom(debs[:120], pythons, os.path.join(out, 'no-maven.cdx.json'))
    empty_bom(os.path.join(out, 'empty.cdx.json'))


if __name__ == '__main__':
    main()
