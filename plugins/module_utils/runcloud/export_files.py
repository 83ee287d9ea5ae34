# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Writing an export (runcloud_export): its inventory, the files it becomes, and the plan of what
changes on disk (:class:`FilePlan`), applied file by file with a manifest of what the export owns.

What is exported is read and converted in :mod:`export`. No Ansible imports: the module turns
:class:`~export.ExportError` into ``fail_json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core on the controller
    yaml = None

from ansible_collections.apiops.saas.plugins.module_utils.runcloud.export import (
    ACCOUNT_GROUP,
    ACCOUNT_HOST,
    AFTER_SITES,
    BEFORE_SITES,
    SITES_GROUP,
    ExportError,
    VaultRef,
    sort_key,
)


def inventory(export):
    """The inventory of an export: ``{hosts, host_vars}``.

    ``hosts`` is the content of ``hosts.yml`` (group ``runcloud_sites``, one host per site,
    and group ``runcloud_account`` with one host for what belongs to no site);
    ``host_vars`` maps each host to its variables.
    """
    sites = sorted(export['sites'], key=lambda s: sort_key(s['host']))
    hosts = {'all': {'children': {
        SITES_GROUP: {'hosts': dict((site['host'], None) for site in sites)},
        ACCOUNT_GROUP: {'hosts': {ACCOUNT_HOST: None}},
    }}}
    host_vars = dict((site['host'], site['vars']) for site in sites)
    host_vars[ACCOUNT_HOST] = {BEFORE_SITES: export['resources_before_sites'], AFTER_SITES: export['resources_after_sites']}
    return {'hosts': hosts, 'host_vars': host_vars}


MANIFEST = '.apiops-export.json'
HOSTS_FILE = 'hosts.yml'
VAULT_TEMPLATE = 'vault-template.yml'
FOREIGN_FILES = ('refuse', 'keep')
# A host's variables file is host_vars/<host>.yml: a name that could leave that folder is refused.
_HOST_FILE_NAME = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.-]*$')


class _Unsafe(str):
    """A string written as ``!unsafe``: Ansible loads it as it is, never as a template."""


def _mark_unsafe(value):
    """``value`` with every string that Jinja could read as a template marked :class:`_Unsafe`.

    Jinja's three start delimiters (``{{``, ``{%``, ``{#``) all begin with ``{``, so a string without
    one is plain data already and stays readable; vault references are the export's own templates.
    """
    if isinstance(value, VaultRef):
        return str(value)
    if isinstance(value, str):
        return _Unsafe(value) if '{' in value else value
    if isinstance(value, dict):
        return dict((key, _mark_unsafe(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_mark_unsafe(item) for item in value]
    return value


def _yaml(data):
    """``data`` as a YAML document, strings that look like templates tagged ``!unsafe``."""
    if yaml is None:  # pragma: no cover
        raise ExportError('writing the export needs PyYAML on the host the module runs on')

    class Dumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
        pass

    Dumper.add_representer(_Unsafe, lambda dumper, text: dumper.represent_scalar('!unsafe', str(text)))
    text = yaml.dump(_mark_unsafe(data), Dumper=Dumper, indent=2, allow_unicode=True, default_flow_style=False,
                     sort_keys=False, width=1000)
    return '---\n' + text


def _comment(text):
    """``text`` on one comment line (a name from the API may hold a line break)."""
    return re.sub(r'\s+', ' ', str(text)).strip()


def check_extra_hosts(extra_hosts):
    """Fail (:class:`ExportError` naming the entry) for an ``extra_hosts`` entry that cannot be written."""
    for index, entry in enumerate(extra_hosts or []):
        for field in ('host', 'group'):
            if not _HOST_FILE_NAME.match(str(entry.get(field) or '')):
                raise ExportError('extra_hosts[%d].%s: %r is no valid name (letters, digits, "_", "." and "-", '
                                  'not starting with ".")' % (index, field, entry.get(field)))
        if not isinstance(entry.get('vars') or {}, dict):
            raise ExportError('extra_hosts[%d].vars: must be a dict' % index)


def render_files(export, extra_hosts=()):
    """The inventory of ``export`` as files: ``{path relative to the folder: text}``.

    ``hosts.yml``, ``host_vars/<host>.yml`` (one per host, ``extra_hosts`` entries ``{host, group,
    vars}`` included) and ``vault-template.yml``. Every string that came from an API and holds a
    ``{`` is written ``!unsafe``, so it reaches the modules byte for byte; only the vault references
    are templates. Pure.
    """
    check_extra_hosts(extra_hosts)
    inv = inventory(export)
    hosts, host_vars = inv['hosts'], inv['host_vars']
    for index, entry in enumerate(extra_hosts or []):
        if entry['host'] in host_vars:
            raise ExportError('extra_hosts[%d].host: %r is already a host of the export' % (index, entry['host']))
        group = hosts['all']['children'].setdefault(entry['group'], {'hosts': {}})
        group.setdefault('hosts', {})[entry['host']] = None
        host_vars[entry['host']] = entry.get('vars') or {}
    for host in host_vars:
        if not _HOST_FILE_NAME.match(host):
            raise ExportError('the host %r cannot be a file name (host_vars/%s.yml); rename the web app or server' % (host, host))
    servers = export['servers']
    files = {HOSTS_FILE: _yaml(hosts).replace('---\n', '---\n# Exported by apiops.saas.runcloud_export from %d RunCloud server(s): %s\n'
                                              % (len(servers), _comment(', '.join(servers))), 1)}
    for host, variables in host_vars.items():
        files['host_vars/%s.yml' % host] = _yaml(variables)
    files[VAULT_TEMPLATE] = vault_template(export)
    return files


def vault_template(export):
    """The text of ``vault-template.yml``: every vault variable, empty, and what could not be exported."""
    lines = ['---',
             '# The secrets the exported inventory refers to. The APIs never return them, so they are empty here:',
             '# fill in each value, then encrypt this file (ansible-vault encrypt) and pass it with -e @file.',
             '# They are sent only when the resource is created (update_secrets: on_create), so values that differ',
             '# from the real ones change nothing on an account that already exists.']
    if export.get('incomplete'):
        lines += ['#', '# Not exported in a form that creates the resource on another account; before you do, fix by hand:']
        lines += ['#   %s' % _comment('%s: %s: %s' % (item['where'], item['field'], item['reason'])) for item in export['incomplete']]
    for variable in export['vault_variables']:
        lines += ['# %s' % _comment(variable['description']), '%s: ""' % variable['name']]
    return '\n'.join(lines) + '\n'


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def _read_manifest(dest):
    """``{path: [digests]}`` of what earlier exports wrote into ``dest`` (empty without a manifest)."""
    try:
        with open(os.path.join(dest, MANIFEST), 'rb') as handle:
            data = json.loads(handle.read().decode('utf-8'))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise ExportError('dest: %s cannot be read (%s); remove it only if the folder holds nothing but an export'
                          % (os.path.join(dest, MANIFEST), err))
    files = data.get('files') if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise ExportError('dest: %s is not a manifest of this export' % os.path.join(dest, MANIFEST))
    return dict((path, list(digests) if isinstance(digests, list) else [digests]) for path, digests in files.items())


def _manifest_text(files):
    return json.dumps({'written_by': 'apiops.saas.runcloud_export', 'files': files}, indent=2, sort_keys=True) + '\n'


def _on_disk(dest):
    """``{path relative to dest: bytes or None}`` of every file under ``dest`` (None: a link or not a regular file)."""
    found = {}
    for root, dirs, names in os.walk(dest):
        dirs.sort()
        for name in sorted(names) + sorted(d for d in dirs if os.path.islink(os.path.join(root, d))):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, dest).replace(os.sep, '/')
            if rel == MANIFEST:
                continue
            if os.path.islink(path) or not os.path.isfile(path):
                found[rel] = None
                continue
            with open(path, 'rb') as handle:
                found[rel] = handle.read()
    return found


class FilePlan:
    """What writing an export into a folder does: files to create, update and remove, and the
    foreign files (not written by an earlier export, or changed since) it leaves alone."""

    def __init__(self, dest, files, manifest, on_disk, kept):
        self.dest = dest
        self.files = files
        self.manifest = manifest
        self.on_disk = on_disk
        self.kept = kept
        self.actions = []
        for path in sorted(files):
            current = on_disk.get(path)
            if path not in on_disk:
                self.actions.append((path, 'create'))
            elif current != files[path].encode('utf-8'):
                self.actions.append((path, 'update'))
            else:
                self.actions.append((path, 'unchanged'))
        self.removals = sorted(path for path in on_disk if path not in files and path not in kept)
        self.actions += [(path, 'remove') for path in self.removals]
        self.new_manifest = _manifest_text(dict((path, [_digest(text.encode('utf-8'))]) for path, text in files.items()))
        self.manifest_changes = manifest != json.loads(self.new_manifest)['files']

    @property
    def changed(self):
        return self.manifest_changes or any(action != 'unchanged' for action in dict(self.actions).values())

    def result(self):
        """The plan as the module returns it."""
        return {'dest': self.dest, 'files': [{'path': path, 'action': action} for path, action in self.actions],
                'foreign_files_kept': sorted(self.kept)}


def plan_files(dest, files, foreign_files='refuse'):
    """Plan writing ``files`` (from :func:`render_files`) into the folder ``dest``; reads, never writes.

    Only what an earlier export wrote (the manifest ``.apiops-export.json`` lists each file with its
    digest) is overwritten or removed. Any other file, or one changed since, is foreign: a foreign
    file where the export writes always fails; any other foreign file fails unless ``foreign_files``
    is ``keep`` (then it stays as it is). Raises :class:`ExportError`, naming the files.
    """
    if foreign_files not in FOREIGN_FILES:
        raise ExportError('foreign_files: must be one of %s, not %r' % (', '.join(FOREIGN_FILES), foreign_files))
    if os.path.lexists(dest) and not os.path.isdir(dest):
        raise ExportError('dest: %s exists and is not a folder' % dest)
    if not os.path.isdir(dest):
        return FilePlan(dest, files, {}, {}, [])
    manifest = _read_manifest(dest)
    on_disk = _on_disk(dest)
    foreign = sorted(path for path, data in on_disk.items()
                     if data is None or path not in manifest or _digest(data) not in manifest[path])
    clash = [path for path in foreign if path in files]
    if clash:
        raise ExportError('dest: %s holds %s, which the export writes but an earlier export did not write (or which was '
                          'changed since); nothing was written. Move %s away, or export into another folder.'
                          % (dest, ', '.join(clash), 'it' if len(clash) == 1 else 'them'))
    if foreign and foreign_files != 'keep':
        shown = ', '.join(foreign[:10]) + (' and %d more' % (len(foreign) - 10) if len(foreign) > 10 else '')
        raise ExportError('dest: %s holds files an earlier export did not write (or which were changed since): %s; '
                          'nothing was written. Export into an empty folder, or set foreign_files=keep to leave them '
                          'as they are.' % (dest, shown))
    return FilePlan(dest, files, manifest, on_disk, foreign)


def _write(path, data, mode):
    """Write ``data`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        os.makedirs(folder, 0o755)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix='.apiops-export-')
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def apply_files(plan):
    """Carry out a :class:`FilePlan`. The manifest first lists both the old and the new digest of
    every file it touches, so a run cut short leaves nothing the next run would call foreign."""
    if not plan.changed:
        return
    manifest_path = os.path.join(plan.dest, MANIFEST)
    interim = dict((path, list(digests)) for path, digests in plan.manifest.items() if path in plan.on_disk or path in plan.files)
    for path, text in plan.files.items():
        interim.setdefault(path, [])
        if _digest(text.encode('utf-8')) not in interim[path]:
            interim[path].append(_digest(text.encode('utf-8')))
    _write(manifest_path, _manifest_text(interim).encode('utf-8'), 0o644)
    for path, action in plan.actions:
        target = os.path.join(plan.dest, path)
        if action in ('create', 'update'):
            _write(target, plan.files[path].encode('utf-8'), 0o600 if path == VAULT_TEMPLATE else 0o644)
        elif action == 'remove':
            os.unlink(target)
    _write(manifest_path, plan.new_manifest.encode('utf-8'), 0o644)
