# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How Lightrun lists page: every item of a listing, read so that a caller can tell whether the read adds up.

The client (transport/client.py) knows no API's paging; this is Lightrun's, beside RunCloud's in runcloud/http.py."""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError


LIGHTRUN_MAX_PAGE_SIZE = 1000
LIGHTRUN_DEFAULT_SORT = 'id,asc'


class PagingError(ApiError):
    """A Lightrun listing whose pages do not advance: reading on would loop or lose items."""


class LightrunListing(list):
    """The items of a Lightrun listing, de-duplicated, plus how trustworthy the read was.

    It is a plain list of the items (so ``for item in lightrun_pages(...)`` keeps working) with:
    ``total`` (the server's ``total``, ``None`` when absent), ``pages`` (requests made),
    ``duplicates`` (items seen again and dropped), ``problems`` (why the read does not add up)
    and ``consistent``: no repeated item, no short or changing page, and exactly ``total``
    unique items. Only a consistent read may justify deleting what it did not see.
    """

    def __init__(self, items=()):
        super().__init__(items)
        self.total = None
        self.pages = 0
        self.duplicates = 0
        self.problems = []

    @property
    def consistent(self):
        """Whether the read adds up (see the class docstring)."""
        return not self.problems and not self.duplicates and self.total == len(self)

    def summary(self):
        """One sentence on how the read went, for messages."""
        if self.consistent:
            return 'read %d of %d items consistently' % (len(self), self.total)
        details = list(self.problems)
        if self.duplicates:
            details.append('%d item(s) appeared on more than one page' % self.duplicates)
        if self.total is None:
            details.append('the server gave no total')
        elif self.total != len(self):
            details.append('%d unique item(s) read but the server reports a total of %d' % (len(self), self.total))
        return 'inconsistent read: %s' % '; '.join(details)


def _item_key(key, item):
    if callable(key):
        return key(item)
    return item.get(key) if isinstance(item, dict) else None


def lightrun_pages(client, path, page_size=LIGHTRUN_MAX_PAGE_SIZE, params=None, sort=LIGHTRUN_DEFAULT_SORT, key='id'):
    """Every item of a Lightrun list, reading all pages; a :class:`LightrunListing`.

    The sources disagree on paging: the introduction page documents ``offset``/``limit``
    (default 10, at most 1000), the OpenAPI description zero-based ``page``/``size`` and
    ``sort``. Every request sends both pairs, always describing the same window, and a
    ``sort`` on a unique property (``id`` by default; pass ``sort``/``key`` for listings keyed
    otherwise, e.g. ``sort='email,asc', key='email'``; a list of criteria is sent as repeated
    ``sort`` parameters; ``sort=None`` sends none) so that pages of one read neither overlap nor skip. The answer's ``limit`` is honoured
    when the server caps the page size.

    A page that does not advance (the server answers another ``offset`` than asked, or the
    very items of the previous page) raises :class:`PagingError` instead of looping. Items are
    de-duplicated by ``key`` (a field name or a function of the item); the result says
    whether what was read adds up to ``total`` (``.consistent``, ``.summary()``).
    """
    listing = LightrunListing()
    seen = set()
    offset = 0
    previous_keys = None
    totals = set()
    while True:
        query = dict(params or {})
        query.update(offset=offset, limit=page_size, page=offset // page_size, size=page_size)
        if sort:
            query['sort'] = sort
        data = client.get(path, params=query)
        listing.pages += 1
        if isinstance(data, list):
            # A server that answers a bare list has no pages: the list is all there is.
            listing.total = len(data) if not listing else None
            _collect(listing, seen, key, data)
            return listing
        if not isinstance(data, dict) or not isinstance(data.get('items'), list):
            raise client.malformed('GET', path, 'no "items" list in the page envelope')
        batch = data['items']
        total = data.get('total')
        if isinstance(total, int) and not isinstance(total, bool):
            totals.add(total)
            listing.total = total
        answered_offset = data.get('offset')
        if isinstance(answered_offset, int) and not isinstance(answered_offset, bool) and answered_offset != offset and batch:
            raise client.error(
                'GET %s answered offset %d when offset %d (page %d, size %d) was asked: the server honours neither '
                'offset/limit nor page/size, so reading on would return the same page again; stopped after %d page(s)'
                % (path, answered_offset, offset, offset // page_size, page_size, listing.pages),
                'GET', path, cls=PagingError)
        keys = [_item_key(key, item) for item in batch]
        if batch and previous_keys is not None and keys == previous_keys:
            raise client.error(
                'GET %s returned the same %d item(s) for offset %d as for the previous page: the page does not advance; '
                'stopped after %d page(s)' % (path, len(batch), offset, listing.pages), 'GET', path, cls=PagingError)
        previous_keys = keys
        _collect(listing, seen, key, batch)
        if not batch:
            break
        has_more = data.get('hasMore')
        if not isinstance(has_more, bool):
            has_more = isinstance(total, int) and offset + len(batch) < total
        if not has_more:
            break
        answered_limit = data.get('limit')
        if listing.pages == 1 and isinstance(answered_limit, int) and 0 < answered_limit < page_size:
            # The server caps the page size: ask for what it gives so both pairs stay aligned.
            page_size = answered_limit
        elif len(batch) < page_size:
            listing.problems.append('a page at offset %d held %d item(s) of %d but more were announced'
                                    % (offset, len(batch), page_size))
        offset += page_size
        if isinstance(total, int) and offset > total + page_size:
            listing.problems.append('the server announced more items beyond its total of %d' % total)
            break
    if len(totals) > 1:
        listing.problems.append('the total changed during the read (%s)' % ', '.join(str(t) for t in sorted(totals)))
    return listing


def _collect(listing, seen, key, batch):
    """Add the items of `batch` not seen before to `listing`; count the others."""
    for item in batch:
        item_key = _item_key(key, item)
        if item_key is not None:
            if item_key in seen:
                listing.duplicates += 1
                continue
            seen.add(item_key)
        listing.append(item)
