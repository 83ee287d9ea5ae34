# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Applying a watch-list plan (:func:`lightrun.plan_changes`) to Lightrun: removals, updates and additions
in batches, a refused batch recovered item by item (409), and a write with an uncertain outcome settled
by reading the watch list again. No Ansible imports.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.watchlist import (
    DEFAULT_BATCH_SIZE,
    WATCHED_PACKAGES_PATH,
    batches,
    describe_key,
    from_api,
    not_yet_read,
    package_key,
    read_watchlist,
    to_api,
    update_body,
)


class Outcome:
    """What :func:`apply_plan` really did, and the resulting watch list by key.

    ``error`` is the :class:`ApiError` that stopped the apply (``None`` when it
    finished); then ``added``, ``removed``, ``updated`` and ``watchlist`` come from
    a re-read of the server (``reread``), or, when that re-read failed too
    (``reread_error``), from the writes confirmed before the failure.
    """

    def __init__(self, current):
        self.added = []
        self.removed = []
        self.updated = []
        self.watchlist = {}
        self.error = None
        self.reread = None
        self.reread_error = None
        # Learnt from a 409 that left batch items missing; settles later ambiguous 409s.
        self.rejects_whole_batches = False
        for package in current:
            self.watchlist.setdefault(package_key(package), package)

    @property
    def changed(self):
        """Whether some write took effect."""
        return bool(self.added or self.removed or self.updated)

    def failure_message(self):
        """The task's ``msg`` after a failed apply: the error, then what was done anyway."""
        parts = [str(self.error).rstrip('.') + '.']
        if not self.changed:
            parts.append('Nothing was changed.')
        else:
            parts.append('Done before the failure: %d package(s) removed, %d updated, %d added (changed=true).'
                         % (len(self.removed), len(self.updated), len(self.added)))
        if self.reread_error is not None:
            parts.append('The watch list could not be read again afterwards (%s): added, removed, updated and watchlist '
                         'show the writes confirmed before the failure.' % str(self.reread_error).rstrip('.'))
        else:
            parts.append('added, removed, updated and watchlist show the watch list as read again from the server%s.'
                         % ('' if self.reread.consistent else ' (that read did not add up: %s)' % self.reread.summary))
        if self.changed:
            parts.append('Once the cause is fixed, re-running the task completes the rest.')
        return ' '.join(parts)


def _record_added(outcome, desired, entry=None):
    package = from_api(entry) if entry else not_yet_read(desired)
    if package['webhook'] is None:
        # The add sent it; an answer that does not echo it did not drop it.
        package['webhook'] = desired.get('webhook')
    outcome.watchlist[package_key(package)] = package
    outcome.added.append(package)


def _record_removed(outcome, packages):
    for package in packages:
        key = package_key(package)
        if key in outcome.watchlist and outcome.watchlist[key]['id'] == package['id']:
            del outcome.watchlist[key]
        outcome.removed.append(package)


def _record_updated(outcome, package):
    outcome.watchlist[package_key(package)] = package
    outcome.updated.append(package)


def _uncertain(error):
    """Whether a failed write may still have been applied: no answer at all, or a server error."""
    return error.status is None or error.status >= 500


def _confirm(client, error):
    """A consistent fresh read after a write that failed with ``error``; re-raise it when the
    write was refused (4xx) or when no read can be trusted to tell what happened."""
    if not _uncertain(error):
        raise error
    now = read_watchlist(client)
    if not now.consistent:
        raise error
    return now


def _remove_batch(client, outcome, batch):
    try:
        response = client.delete(WATCHED_PACKAGES_PATH, body=[p['id'] for p in batch], accept=(404,))
    except ApiError as err:
        present = set(p['id'] for p in _confirm(client, err))
        gone = [p for p in batch if p['id'] not in present]
        _record_removed(outcome, gone)
        if len(gone) != len(batch):
            raise
        return
    if response.status == 404:
        # Part of the batch is gone already. The API removes all or nothing, so each id goes
        # alone: 204 means removed now, 404 already gone.
        gone, removed = [], []
        for package in batch:
            single = client.delete(WATCHED_PACKAGES_PATH, body=[package['id']], accept=(404,))
            (gone if single.status == 404 else removed).append(package)
        if not removed:
            # The whole batch was gone: the client retried our DELETE after a 5xx that hid its
            # success (nobody else removes exactly our batch between two requests).
            removed = gone
        else:
            # Some were still there: the others were removed by someone else meanwhile.
            for package in gone:
                outcome.watchlist.pop(package_key(package), None)
        _record_removed(outcome, removed)
        return
    _record_removed(outcome, batch)


def _update(client, outcome, existing, desired):
    path = '%s/%s' % (WATCHED_PACKAGES_PATH, existing['id'])
    wanted = dict(existing, classes=desired['classes'])
    # A package without version may meet a server that enforces the update DTO's required version (400).
    refusable = (400,) if existing['version'] is None else ()
    try:
        response = client.put(path, update_body(wanted), accept=refusable)
    except ApiError as err:
        found = [p for p in _confirm(client, err) if p['id'] == existing['id']]
        if not found or found[0]['classes'] != desired['classes']:
            raise
        _record_updated(outcome, found[0])
        return
    if response.status == 400:
        _replace_versionless(client, outcome, existing, desired, path, response)
        return
    updated = from_api(response.data) if isinstance(response.data, dict) and response.data.get('packageName') else None
    if updated is None or updated.get('id') is None:
        updated = wanted
    _record_updated(outcome, updated)


def _replace_versionless(client, outcome, existing, desired, path, refusal):
    """Classes of a package without version on a server that will not update it: remove, add again.

    The add body is complete (name, classes and the webhook: the one the read showed, else the
    task's), so the entry comes back as it was but for its classes. The list does not show a
    webhook, so when neither the read nor the task gives one, the entry may have one that a
    replacement would drop: it is refused before the delete (``refusal`` is the PUT's 400 answer).
    If the add fails, the failure report lists the package as removed and a re-run adds it.
    """
    webhook = existing.get('webhook') or desired.get('webhook')
    if webhook is None:
        raise ApiError('%s: the server does not update the classes of a package without version (HTTP 400), so it '
                       'would have to be removed and added again, and the watch list does not show whether it has '
                       'a notification webhook, which that would drop. Give notification_webhook_id (the webhook '
                       'it keeps), or remove the package (state=absent) and add it again.'
                       % describe_key(package_key(existing)),
                       method='PUT', path=path, status=refusal.status, body=refusal.data, api=getattr(client, 'api', None))
    replacement = dict(desired, webhook=webhook)
    client.delete(WATCHED_PACKAGES_PATH, body=[existing['id']])
    del outcome.watchlist[package_key(existing)]
    response = client.post(WATCHED_PACKAGES_PATH, [to_api(replacement)])
    entry = response.data[0] if isinstance(response.data, list) and response.data and isinstance(response.data[0], dict) else None
    package = from_api(entry) if entry else not_yet_read(replacement)
    if package['webhook'] is None:
        package['webhook'] = webhook
    _record_updated(outcome, package)


def _add_batch(client, outcome, batch):
    try:
        response = client.post(WATCHED_PACKAGES_PATH, [to_api(p) for p in batch], accept=(409,))
    except ApiError as err:
        # POST is never repeated blindly (it could add twice): a fresh read tells what it did.
        now = dict((package_key(p), p) for p in _confirm(client, err))
        present = [now[package_key(p)] for p in batch if package_key(p) in now]
        for found in present:
            outcome.watchlist[package_key(found)] = found
            outcome.added.append(found)
        if len(present) != len(batch):
            raise
        return
    if response.status != 409:
        returned = {}
        if isinstance(response.data, list):
            for entry in response.data:
                if isinstance(entry, dict) and entry.get('packageName'):
                    returned[package_key(from_api(entry))] = entry
        for package in batch:
            _record_added(outcome, package, returned.get(package_key(package)))
        return
    # A 409 says some item was watched by the time the batch arrived (another
    # client added it after our read), not whether the others were added:
    # servers either reject the whole batch or add the new ones and still
    # answer 409. The list tells which batch items exist now.
    now = {package_key(p): p for p in read_watchlist(client)}
    present = [now[package_key(p)] for p in batch if package_key(p) in now]
    missing = [p for p in batch if package_key(p) not in now]
    if missing:
        # Something is still missing, so this server rejects whole batches:
        # whatever is present came from someone else and is not ours to report.
        outcome.rejects_whole_batches = True
    elif not outcome.rejects_whole_batches:
        # Everything is there: the server added the new ones. Which of them were
        # added by another client at the same moment, the API cannot tell.
        for found in present:
            outcome.watchlist[package_key(found)] = found
            outcome.added.append(found)
    for found in present:
        outcome.watchlist.setdefault(package_key(found), found)
    for package in missing:
        # One item per request, so a 409 can only mean "already watched".
        single = client.post(WATCHED_PACKAGES_PATH, [to_api(package)], accept=(409,))
        if single.status == 409:
            outcome.watchlist.setdefault(package_key(package), not_yet_read(package))
            continue
        entry = single.data[0] if isinstance(single.data, list) and single.data and isinstance(single.data[0], dict) else None
        _record_added(outcome, package, entry)


def _settle(client, outcome, current, plan):
    """After a failed apply: read the watch list again and report what the server shows.

    Only packages the plan touched are reported: ``removed`` are planned removals (or
    replaced packages) no longer there, ``added`` planned additions now there, ``updated``
    planned updates now showing the wanted classes.
    """
    try:
        now = read_watchlist(client)
    except ApiError as err:
        outcome.reread_error = err
        return
    outcome.reread = now
    now_ids = set(p['id'] for p in now)
    now_by_key = {}
    for package in now:
        now_by_key.setdefault(package_key(package), package)
    current_keys = set(package_key(p) for p in current)
    wanted_classes = dict((package_key(existing), desired['classes']) for existing, desired in plan.update)
    planned_removals = set(p['id'] for p in plan.remove)
    outcome.removed = [p for p in current if p['id'] not in now_ids and
                       (p['id'] in planned_removals or
                        (package_key(p) in wanted_classes and package_key(p) not in now_by_key))]
    outcome.added = [now_by_key[package_key(p)] for p in plan.add
                     if package_key(p) in now_by_key and package_key(p) not in current_keys]
    outcome.updated = [now_by_key[key] for key, classes in wanted_classes.items()
                       if key in now_by_key and now_by_key[key]['classes'] == classes]
    outcome.watchlist = now_by_key


def apply_plan(client, current, plan, batch_size=DEFAULT_BATCH_SIZE):
    """Send ``plan`` to the API and return an :class:`Outcome`; never raises :class:`ApiError`.

    Removals go first (one DELETE per batch of ids), then updates (one PUT
    each: the API has no bulk update), then additions (one POST per batch).
    A write that fails without a clear refusal (5xx, no answer) is checked
    against a fresh read: if the server applied it, the apply goes on. The
    first write that failed for good stops the apply; the outcome then holds
    the error and the watch list read again (see :class:`Outcome`).
    """
    outcome = Outcome(current)
    try:
        for batch in batches(plan.remove, batch_size):
            _remove_batch(client, outcome, batch)
        for existing, desired in plan.update:
            _update(client, outcome, existing, desired)
        for batch in batches(plan.add, batch_size):
            _add_batch(client, outcome, batch)
    except ApiError as err:
        outcome.error = err
        _settle(client, outcome, current, plan)
    return outcome
