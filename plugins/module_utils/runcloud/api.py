# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What RunCloud does its own way, for the engine and the RunCloud registry (:mod:`runcloud.kinds`).

* :data:`RUNCLOUD_API`: one-based ``page``/``perPage`` lists filtered with ``search``, numeric ids, updates
  that send the endpoint's fields (given, else current), answers that may wrap the object in ``data``;
* :class:`LinkCreate` and :class:`DeleteByBody`: a database grant is created by naming the database user
  and deleted with ``DELETE <collection> {"id": ...}``;
* how RunCloud's answers spell fields otherwise than a task sends them (the readers and compare hooks the
  kinds' ``Fields`` use).
"""

from __future__ import annotations

import re

from ansible_collections.apiops.saas.plugins.module_utils.runcloud.http import runcloud_pages
from ansible_collections.apiops.saas.plugins.module_utils.engine.model import ApiSpec
from ansible_collections.apiops.saas.plugins.module_utils.engine.operations import Operation, fill_path
from ansible_collections.apiops.saas.plugins.module_utils.engine.strategies import Create, Delete
from ansible_collections.apiops.saas.plugins.module_utils.engine.task import TO_BE_CREATED


def _runcloud_list(client, path, params):
    return runcloud_pages(client, path, params=params)


RUNCLOUD_API = ApiSpec('runcloud', pages=_runcloud_list, list_filter='search', update_body='endpoint')


class LinkCreate(Create):
    """A resource created as a link to another one that the ``name`` option names (a grant of a database
    user): the create body is that resource's ``{"id": ...}``, read only when the task creates.

    :param target: the kind the ``name`` option names.
    """

    def __init__(self, target, path=None):
        super().__init__(path=path)
        self.target = target

    def prepare(self, reader, kind, task, reading):
        if task.name is None:
            return
        # Only a create carries the named resource's id: a converged run reads nothing more.
        reading.name_id = reader.resolve(self.target, task.name, 'option name of %s' % kind.name)
        if reading.name_id == TO_BE_CREATED:
            reading.name_id = None

    def body(self, kind, values, reading):
        return {'id': reading.name_id}

    def sent_fields(self, values, body):
        return list(values)

    def new_id(self, reading):
        return reading.name_id


class DeleteByBody(Delete):
    """A delete of ``DELETE <collection>`` with the resource's ``{"id": ...}`` as the body (there is no item path)."""

    def operation(self, kind, reading, current, role=None, task=None):
        return Operation('delete', 'DELETE', fill_path(kind.path, reading.context), {'id': current['id']}, role=role)


# How RunCloud answers differ from what a task sends (docs/api-notes.md, "RunCloud"). Each reader raises
# KeyError when the answer does not carry the field: the engine then does not compare it.


def echoed(field):
    """A reader of ``field`` that treats ``null`` as "not returned" (a database's collation)."""
    def read(obj):
        if obj.get(field) is None:
            raise KeyError(field)
        return obj[field]
    return read


def first_of(*fields):
    """A reader of the first of ``fields`` the answer carries (the SSL object's older and newer names)."""
    def read(obj):
        for field in fields:
            if field in obj:
                return obj[field]
        raise KeyError(fields[0])
    return read


def ssl_environment(obj):
    """``environment`` as sent (``live``/``staging``), from ``environment`` or the boolean ``staging``."""
    if obj.get('environment') is not None:
        return obj['environment']
    if obj.get('staging') is None:
        raise KeyError('environment')
    return 'staging' if str(obj['staging']).lower() in ('1', 'true') else 'live'


def same_pem(wanted, current, obj):
    del obj
    # Not returned (most answers): nothing to compare; a new certificate then needs update_secrets: always.
    if current is None:
        return True

    def norm(text):
        return '\n'.join(line.strip() for line in str(text).strip().splitlines() if line.strip())
    return norm(wanted) == norm(current)


def public_path_suffix(obj):
    """``publicPath`` as sent (a suffix such as ``/public``), also when returned absolute (rootPath + suffix)."""
    path = obj['publicPath']
    root = (obj.get('rootPath') or '').rstrip('/')
    if isinstance(path, str) and root and (path == root or path.startswith(root + '/')):
        return path[len(root):] or None
    return path


def same_path(wanted, current, obj):
    del obj

    def norm(path):
        return '/' + path.strip('/') if isinstance(path, str) and path.strip('/') else None
    return norm(wanted) == norm(current)


def supervisor_binary(obj):
    """``binary`` when the answer carries it apart (some answers fold it into ``command`` instead)."""
    if obj.get('binary') is None:
        raise KeyError('binary')
    return obj['binary']


def same_binary(wanted, current, obj):
    if current is not None:
        return wanted == current
    # Folded: the returned command starts with the binary.
    return wanted is None or str(obj.get('command') or '').startswith('%s ' % wanted)


def same_command(wanted, current, obj):
    if wanted == current:
        return True
    if obj.get('binary') is not None or not isinstance(current, str):
        return False
    binary, dummy, rest = current.partition(' ')
    return binary.startswith('/') and rest == wanted


def same_directory(wanted, current, obj):
    del obj
    # A job created without a directory reports "/" (or nothing, in older answers).
    return wanted == current or (wanted == '/' and not current)


# The services an external API key is created with. The create takes the key ("digitalocean"), answers show
# the display name ("Digital Ocean", "Cloudflare"); v2 documents cloudflare, linode and digitalocean, the
# others are the DNS providers the dashboard offers.
EXTERNAL_API_SERVICES = ('cloudflare', 'linode', 'digitalocean', 'vultr', 'dnsmadeeasy', 'godaddy', 'namecheap', 'route53')
_SERVICE_ALIASES = {'awsroute53': 'route53', 'amazonroute53': 'route53'}


def service_key(value):
    """The canonical form of a service, whichever way it is spelled: lower case, letters and digits only."""
    key = re.sub(r'[^a-z0-9]', '', str(value).lower())
    return _SERVICE_ALIASES.get(key, key)


def external_api_create_service(value):
    """The form the create of an external API key takes for ``value``, a service as answered or as sent.

    ``"Digital Ocean"`` and ``"digitalocean"`` both give ``"digitalocean"``; ``None`` when the
    service is not one :data:`EXTERNAL_API_SERVICES` knows (or ``value`` is not a string).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    key = service_key(value)
    return key if key in EXTERNAL_API_SERVICES else None


def external_api_service(obj):
    """``service`` in the form the create takes, when known; otherwise as answered."""
    if obj.get('service') is None:
        raise KeyError('service')
    return external_api_create_service(obj['service']) or obj['service']


def same_service(wanted, current, obj):
    del obj
    # Not answered: nothing to compare (never a replacement on a guess).
    return current is None or service_key(wanted) == service_key(current)
