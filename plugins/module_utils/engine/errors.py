# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The errors the engine raises: a task failure with its message, a missing parent, a partly applied bulk request.
"""

from __future__ import annotations


class ResourceError(Exception):
    """A failure the task reports as ``msg`` (with ``failure`` when an API answer caused it)."""

    def __init__(self, message, failure=None):
        super().__init__(message)
        self.message = message
        self.failure = failure


class MissingParent(ResourceError):
    """A parent given by id does not exist (with ``state=absent``, neither does the resource)."""


class PartialFailure(ResourceError):
    """A bulk request of which the API applied some items and refused others."""
