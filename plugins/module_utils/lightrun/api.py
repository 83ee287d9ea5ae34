# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Lightrun's API description for the engine: how its lists are read, how its ids look, how it updates,
and the one create it does its own way.

* lists page with ``offset``/``limit`` and ``page``/``size`` and need a stable ``sort`` where one is
  documented, and several whole reads where none is (:func:`lightrun_list`, over :mod:`paging`);
* ids are UUID strings (:data:`UUID_IDS`);
* updates are a ``PUT`` of a full body (``update_body='full'``);
* a system API key is created with query parameters (:class:`CreateInQuery`).
"""

from __future__ import annotations

import re

from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.model import ApiSpec, Ids
from ansible_collections.apiops.saas.plugins.module_utils.engine.operations import Operation, fill_path
from ansible_collections.apiops.saas.plugins.module_utils.engine.strategies import Create
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.paging import lightrun_pages

_UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')

# How each paged listing is read: a sort on a unique property the listing documents as sortable
# (none where it documents no sortable property: a server may refuse any other with 400), and the key
# that de-duplicates its items. Unpaged listings (system API keys) are not here.
LISTINGS = (
    (re.compile(r'^/?api/v1/agent-pools$'), 'name,asc', 'id'),
    (re.compile(r'^/?api/v1/groups$'), None, 'id'),
    (re.compile(r'^/?api/v1/users$'), 'email,asc', 'email'),
    # listActions documents location, line and createdAt as sortable: none is unique, so the listing is gathered.
    (re.compile(r'^/?api/v1/temp-access$'), None, 'id'),
    (re.compile(r'^/?api/v1/actions$'), None, 'id'),
    (re.compile(r'^/?api/v1/agents$'), None, 'id'),
    (re.compile(r'^/?api/v1/tags$'), None, 'id'),
)


def lightrun_list(client, path, params):
    """Every item of a Lightrun list: paged listings through :func:`lightrun_pages`, others in one GET.

    A paged read that does not add up (items repeated or skipped, a total that does not
    match) fails rather than let a lookup by name miss an existing resource and create
    a duplicate.
    """
    for pattern, sort, key in LISTINGS:
        if pattern.match(path):
            if sort is None:
                return _unsorted_listing(client, path, params, key)
            listing = lightrun_pages(client, path, params=params, sort=sort, key=key)
            if listing.problems or listing.duplicates or (listing.total is not None and listing.total != len(listing)):
                raise ResourceError('GET %s: the listing did not read consistently (%s); nothing was changed'
                                    % (path, listing.summary()))
            return list(listing)
    data = client.get(path, params=params or None)
    return _unpaged_items(client, path, data)


# Whole reads of a listing without a sort before giving up on gathering every item.
UNSORTED_READS = 5


def _unsorted_listing(client, path, params, key):
    """Every item of a paged listing that documents no sortable property.

    Its order may change from one request to the next, so the pages of one read may overlap and
    skip items. A read in one page is whole; otherwise the items of up to :data:`UNSORTED_READS`
    whole reads are gathered by ``key`` until they are exactly the ``total`` every read reported. A
    listing that never adds up (it changes meanwhile) fails rather than let a lookup by name miss
    an existing resource.
    """
    gathered = {}
    totals = set()
    reads = 0
    while reads < UNSORTED_READS:
        listing = lightrun_pages(client, path, params=params, sort=None, key=key)
        reads += 1
        if listing.total is None and listing.pages == 1 and not listing.problems and not listing.duplicates:
            return list(listing)  # one page without a total: nothing more was announced
        if listing.problems or listing.total is None:
            break
        totals.add(listing.total)
        for item in listing:
            gathered[item.get(key) if isinstance(item, dict) else None] = item
        if None in gathered or len(totals) > 1:
            break
        if len(gathered) == listing.total:
            return list(gathered.values())
    raise ResourceError('GET %s: the listing did not read consistently (%s; %d unique item(s) gathered over %d read(s), '
                        'as it documents no sort); nothing was changed' % (path, listing.summary(), len(gathered), reads))


def _unpaged_items(client, path, data):
    """The items of an unpaged ``{"items": ...}`` answer (the description types ``items`` as one
    object, its example as a list: both are accepted), or a bare list."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and 'items' in data:
        items = data['items']
        if items is None:
            return []
        if isinstance(items, dict):
            return [items]
        if isinstance(items, list):
            return items
    raise client.malformed('GET', path, 'no "items" list')


def is_uuid(value):
    """Lightrun ids are UUID strings: a value of that form is an id, anything else a name."""
    return isinstance(value, str) and bool(_UUID.match(value.strip()))


# A value of the UUID form is an id, anything else a name; an id is sent as given, without surrounding spaces.
UUID_IDS = Ids(is_uuid, lambda value: str(value).strip())

# Lightrun: Spring pages, full-body PUT updates, bare objects, 404 for "no such object".
LIGHTRUN_API = ApiSpec('lightrun', pages=lightrun_list, list_filter=None, update_body='full', ids=UUID_IDS)


class CreateInQuery(Create):
    """A create that sends its fields as query parameters, with no body (a system API key)."""

    def operation(self, kind, reading, body, role, fields, secrets_sent):
        return Operation('create', 'POST', fill_path(self.path or kind.path, reading.context), None, role=role, fields=fields,
                         secret_fields=secrets_sent, params=body)
