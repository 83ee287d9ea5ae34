# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The read step: every GET a task needs (parents, references, the current object), each list read once.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.transport.connection import api_bool
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import MissingParent, ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.operations import fill_path
from ansible_collections.apiops.saas.plugins.module_utils.engine.task import TO_BE_CREATED, Reading, desired_values
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import casefold, differences, read_attributes, read_raw, same


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


class Reader:
    """One task's reads: parents, references and the current object, each list read at most once.

    :param client: an ``ApiClient``.
    :param registry: the :class:`Registry` of the API.
    :param params: the module options (parent options by kind name).
    :param check_note: appended to "does not exist" messages of a parent or reference given by name
        when the task creates or updates (in check mode an earlier task's creation cannot be seen).
    :param check_mode: a parent or reference given by name that does not exist is taken as created
        by an earlier task of the run (check mode creates nothing, so it cannot be seen): its id is
        :data:`TO_BE_CREATED`, nothing under it is read, and the task plans a create. Only for
        ``state=present``; the real run still fails on it.
    """

    def __init__(self, client, registry, params, check_note='', check_mode=False):
        self.client = client
        self.registry = registry
        self.params = params
        self.check_note = check_note
        self.check_mode = check_mode
        # "web app 'shop' (option webapp)" for each name taken as to be created (check mode only)
        self.to_be_created = []
        self.context = {}
        self._cache = {}

    def path(self, template, **extra):
        """Fill a path template with the parents' ids (and ``extra``)."""
        values = dict(self.context)
        values.update(extra)
        return template.format(**values)

    def _by_id_note(self):
        given = ['%s %s' % (self.registry[p].label, self.context[p]) for p in self.registry.parent_options()
                 if p in self.context and self.registry.api.is_id(self.params.get(p))]
        return ' or '.join(given)

    def _missing_parent(self, err):
        note = self._by_id_note()
        if err.status in self.registry.api.gone_statuses and note:
            return MissingParent('%s does not exist (%s %s answered %s)' % (note, err.method, err.path, err.status), err.to_failure())
        return None

    def get(self, path, gone_ok=True, params=None):
        """GET one object (``None`` when gone); a missing parent by id becomes a :class:`ResourceError`."""
        api = self.registry.api
        try:
            response = self.client.request('GET', path, params=params or None, accept=api.gone_statuses if gone_ok else ())
        except ApiError as err:
            missing = self._missing_parent(err)
            if missing:
                raise missing
            raise
        if response.status in api.gone_statuses:
            return None
        return api.unwrap(response.data)

    def list(self, kind, name=None):
        """Every item of the kind's list under the current parents, every page read (cached)."""
        path = self.path(kind.path)
        param = kind.search_param
        query = {param: name} if param and name is not None else {}
        query.update(kind.locate.params)
        key = ('list', path, tuple(sorted(query.items())))
        if key not in self._cache:
            try:
                self._cache[key] = self.registry.api.pages(self.client, path, query)
            except ApiError as err:
                missing = self._missing_parent(err)
                if missing:
                    raise missing
                raise
        return self._cache[key]

    def forget(self):
        """Drop cached lists (after a write)."""
        self._cache = {k: v for k, v in self._cache.items() if k[0] != 'list'}

    def find_by_name(self, kind, name):
        """The one item whose natural key is exactly ``name`` (``None`` when there is none).

        The list filter only narrows the list: the exact match decides, over every page.
        """
        matches = self.named(kind, name)
        if len(matches) > 1:
            raise ResourceError('%d %s resources are named %r: ids %s; give the id option to pick one'
                                % (len(matches), kind.name, name, ', '.join(str(m.get('id')) for m in matches)))
        return matches[0] if matches else None

    def named(self, kind, name):
        """Every item of the list whose natural key is exactly ``name`` (case-insensitively where the kind
        says so)."""
        matches = []
        for item in self.list(kind, name=name):
            try:
                value = read_raw(kind, item, kind.name_field)
            except KeyError:
                continue
            if str(value) == str(name) or (kind.locate.casefold and casefold(value) == casefold(name)):
                matches.append(item)
        return matches

    def find_by_fields(self, kind, attributes):
        """The one item whose identity fields all equal those of ``attributes``."""
        wanted = {f: attributes.get(f) for f in kind.identity}
        matches = []
        for item in self.list(kind):
            if not isinstance(item, dict):
                continue
            attrs = read_attributes(kind, item)
            if all(same(kind, f, v, attrs, item) if f in attrs or f in kind.fields.compare else v is None for f, v in wanted.items()):
                matches.append(item)
        if len(matches) > 1:
            shown = {f: v for f, v in wanted.items() if v is not None}
            raise ResourceError('%d %s resources match %s: ids %s; give the id option to pick one'
                                % (len(matches), kind.name, shown, ', '.join(str(m.get('id')) for m in matches)))
        return matches[0] if matches else None

    def lookup(self, kind_name, value):
        """The id of the ``kind_name`` resource given by name or id in ``value`` (``None`` when no such name)."""
        kind = self.registry[kind_name]
        if kind.locate.given_by_id(self.registry.api, value):
            return kind.locate.id_of(self.registry.api, value)
        key = ('resolve', kind_name, self.path(kind.path), value)
        if key not in self._cache:
            item = self.find_by_name(kind, value)
            self._cache[key] = item['id'] if item else None
        return self._cache[key]

    def resolve(self, kind_name, value, what):
        """Like :meth:`lookup`, failing when the name does not exist (in check mode: :data:`TO_BE_CREATED`)."""
        kind = self.registry[kind_name]
        by_id = kind.locate.given_by_id(self.registry.api, value)
        # Under a parent that is to be created nothing exists yet, and its paths cannot be read.
        ident = self.lookup(kind_name, value) if by_id or not self.to_be_created else None
        if ident is None:
            if self.check_mode:
                self.to_be_created.append('%s %r (%s)' % (kind.label, value, what))
                return TO_BE_CREATED
            raise ResourceError('%s %r does not exist (%s)%s' % (kind.name, value, what, self.check_note))
        return ident

    def resolve_parents(self, kind, absent_ok=False):
        """Fill ``context`` with each parent's id; returns a message when one does not exist and
        ``absent_ok`` (the task removes the resource), else raises."""
        for parent in kind.parents:
            value = self.params[parent]
            if absent_ok:
                try:
                    ident = self.lookup(parent, value)
                except ResourceError as err:
                    return err.message
                if ident is None:
                    return '%s %r does not exist' % (self.registry[parent].label, value)
            else:
                ident = self.resolve(parent, value, 'option %s' % parent)
            self.context[parent] = ident
        return None

    def read_extra(self, kind, obj):
        """Merge the kind's extra read (a web app's settings) into ``obj``."""
        if not kind.extra_read or obj is None:
            return obj
        return kind.extra_read.read(self, kind, obj)

    def complete_items(self, kind, obj):
        """``obj`` with all its collection items: a listing may leave them out (``null`` or ``[]``) while
        the object counts some, so such an object is read again by id, where the API answers them all.
        The comparison still refuses an object whose items and count disagree after that."""
        coll = kind.collection
        if obj is None or coll is None or not coll.count or not kind.locate.item_get or obj.get(kind.locate.item_key) is None:
            return obj
        count = obj.get(coll.count)
        items = obj.get(coll.read)
        if not isinstance(count, int) or isinstance(count, bool) or (isinstance(items, list) and len(items) == count):
            return obj
        fresh = self.get(self.path(kind.item_path, id=obj[kind.locate.item_key]), params=kind.locate.params)
        return fresh if fresh is not None else obj

    def find(self, kind, task):
        """The current resource the task means, or ``None`` (as the kind's locator finds it)."""
        return kind.locate.find(self, kind, task)

    def reread(self, kind, obj, desired=None):
        """The resource as it is after a write (``None`` when it cannot be found)."""
        self.forget()
        return self.read_extra(kind, kind.locate.reread(self, kind, obj, desired))

    def read_dependents(self, kind, task, current, declared):
        """The resources each :class:`Dependents` of ``declared`` finds for deleting ``current``:
        ``[{kind, id, name}]`` (``name`` only for kinds with a natural key)."""
        found = []
        ident = current.get('id')
        for dependents in declared:
            if dependents.when and not api_bool(task.attributes.get(dependents.when)):
                continue
            dep_kind = self.registry[dependents.kind]
            context = dict(self.context, id=ident)
            context[kind.name] = ident
            if dependents.path is None and dep_kind.singleton:
                saved, self.context = self.context, context
                try:
                    item = dep_kind.locate.find(self, dep_kind)
                finally:
                    self.context = saved
                items = [item] if item is not None else []
            else:
                path = fill_path(dependents.path or dep_kind.path, context)
                items = self.registry.api.pages(self.client, path, dict(dep_kind.locate.params))
            for item in items:
                if not isinstance(item, dict):
                    continue
                if dependents.match is not None and str(item.get(dependents.match)) != str(ident):
                    continue
                entry = {'kind': dep_kind.name, 'id': item.get('id')}
                if dep_kind.name_field:
                    try:
                        entry['name'] = read_raw(dep_kind, item, dep_kind.name_field)
                    except KeyError:
                        pass
                found.append(entry)
        return found

    def read(self, task):
        """Every read the planner needs for ``task``: a :class:`Reading`."""
        kind = task.kind
        reading = Reading()
        absent = task.state == 'absent'
        reading.missing_parent = self.resolve_parents(kind, absent_ok=absent)
        if reading.missing_parent:
            return reading
        try:
            current = None if self.to_be_created else self.find(kind, task)
        except ResourceError as err:
            if absent and isinstance(err, MissingParent):
                # The parent given by id is gone: so is everything under it.
                reading.missing_parent = err.message
                return reading
            raise
        reading.context = dict(self.context)
        if absent:
            reading.current = current
            if current is not None:
                reading.delete_blockers = self.read_dependents(kind, task, current, kind.delete.blocked_by)
                if not reading.delete_blockers:
                    reading.also_deleted = self.read_dependents(kind, task, current, kind.delete.takes)
            return reading
        if task.items is not None:
            current = self.complete_items(kind, current)
        reading.current = current
        for field, target in kind.references.items():
            value = task.attributes.get(field)
            if isinstance(value, (list, tuple)):
                # A list of references, each by name or id.
                reading.references[field] = [self.resolve(target, item, 'attributes.%s of %s' % (field, kind.name))
                                             for item in value]
            elif value is not None:
                reading.references[field] = self.resolve(target, value, 'attributes.%s of %s' % (field, kind.name))
            if TO_BE_CREATED in _as_list(reading.references.get(field)):
                # No id yet: the plan shows the reference as the task gives it.
                del reading.references[field]
        if reading.current is None:
            kind.create.prepare(self, kind, task, reading)
        reading.to_be_created = list(self.to_be_created)
        if current is not None and self._needs_extra_read(kind, task, reading):
            reading.current = self.read_extra(kind, current)
        return reading

    @staticmethod
    def _needs_extra_read(kind, task, reading):
        """Whether the kind's extra read (a web app's settings) is needed: the task gives a field the
        base object does not carry, or something differs (an update or a replacement takes the current
        values of the extra read). A converged task whose fields the base object carries reads nothing more."""
        if not kind.extra_read:
            return False
        desired = desired_values(kind, task, reading)
        base = read_attributes(kind, reading.current)
        for field in desired:
            if field not in kind.secrets and field not in kind.write_only and field not in base and field not in kind.fields.compare:
                return True
        if task.update_secrets == 'always' and any(desired.get(f) is not None for f in kind.secrets):
            return True
        return bool(differences(kind, desired, base, reading.current))
