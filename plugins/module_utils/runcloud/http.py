# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What only RunCloud's HTTP needs: its paging and its choice between token and key/secret authentication.

The client (transport/client.py) knows no API's paging or credentials; Lightrun's paging is in lightrun/paging.py."""

from __future__ import annotations


RUNCLOUD_MAX_PER_PAGE = 40


def runcloud_pages(client, path, search=None, params=None, per_page=RUNCLOUD_MAX_PER_PAGE):
    """Every item of a RunCloud list, reading all pages.

    RunCloud pages are one-based ``page``/``perPage`` (at most 40) with the
    envelope ``{data, meta: {pagination: {total_pages, ...}}}``; ``search``
    filters by name on the server side.
    """
    items = []
    page = 1
    while True:
        query = dict(params or {}, page=page, perPage=per_page)
        if search:
            query['search'] = search
        data = client.get(path, params=query)
        if isinstance(data, list):
            return items + data
        if not isinstance(data, dict) or not isinstance(data.get('data'), list):
            raise client.malformed('GET', path, 'no "data" list in the list envelope')
        batch = data['data']
        items.extend(batch)
        pagination = (data.get('meta') or {}).get('pagination') or {}
        total_pages = pagination.get('total_pages')
        if not batch or not isinstance(total_pages, int) or page >= total_pages:
            return items
        page += 1


def choose_runcloud_auth(token=None, key=None, secret=None, environ=None):
    """Pick RunCloud's authentication.

    Returns ``(token, basic_auth)`` with exactly one of them set, or
    ``(None, None)`` when nothing usable was given. Credentials given as
    options win; only when none is given are the environment variables
    read: ``RUNCLOUD_API_TOKEN`` first, then ``RUNCLOUD_API_KEY`` with
    ``RUNCLOUD_API_SECRET``. So a key set in a task is never overridden, nor
    made ambiguous, by a token exported in the shell.
    """
    if token or key or secret:
        if token:
            return token, None
        return (None, (key, secret)) if key and secret else (None, None)
    environ = environ or {}
    if environ.get('RUNCLOUD_API_TOKEN'):
        return environ['RUNCLOUD_API_TOKEN'], None
    if environ.get('RUNCLOUD_API_KEY') and environ.get('RUNCLOUD_API_SECRET'):
        return None, (environ['RUNCLOUD_API_KEY'], environ['RUNCLOUD_API_SECRET'])
    return None, None
