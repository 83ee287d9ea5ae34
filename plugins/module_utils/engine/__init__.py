# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The API-neutral plan/apply engine behind every ``<api>_resource`` module.

One module a layer, in the order a task goes through them:

* :mod:`.model`: the declarations. An API (:class:`~.model.ApiSpec`), its kinds
  (:class:`~.model.Kind` in a :class:`~.model.Registry`) and their endpoints.
* :mod:`.strategies`: what differs from kind to kind, as small objects (how a kind is located,
  created, deleted, how the API spells its fields, the optional behaviour it opts into).
* :mod:`.values`: values as the engine compares them (normalisation, reading fields).
* :mod:`.validate`: every check of a task that needs no request.
* :mod:`.task`: what a task asks for and what was read for it.
* :mod:`.read`: the read step, every GET a task needs (:class:`~.read.Reader`).
* :mod:`.plan`: the plan step, pure: the operations, the diff, the would-be resource, the checks.
* :mod:`.check`: the check step: what only the server can tell about a plan, read before any write.
* :mod:`.operations`: one write of a plan and the paths it goes to.
* :mod:`.apply`: the apply step, the only code of the engine that writes.
* :mod:`.run`: read, plan and apply one task; list a kind for ``*_info`` modules.
* :mod:`.collection`: items kept under a resource and changed through bulk endpoints.
* :mod:`.errors`: the errors a task reports.
* :mod:`.docs`: the per-kind documentation lines every registry generates.

Everything that differs between APIs is declared in an ``ApiSpec``, everything
that differs between kinds in a ``Kind`` and its strategy objects; an API's own
way of doing something is a strategy subclass beside that API. The engine has
no branch for a particular API or kind. No Ansible imports.
"""
