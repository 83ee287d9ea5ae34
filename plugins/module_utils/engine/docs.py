# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The per-kind documentation every registry generates (``kind_doc_lines``), written the same way for
each API: the API says only how it names a type and an update.
"""

from __future__ import annotations


def attribute_docs(kind, type_words, update_words, fixed_words='immutable'):
    """``C(field) (words)`` for each attribute of ``kind``: its type (an ``enum`` lists its values,
    anything else is ``type_words(prop)``), whether a create requires it, whether it is a secret, and
    how it changes (``update_words(update)`` for an updatable one, else ``fixed_words``)."""
    updatable = kind.updatable()
    attrs = []
    for field, prop in kind.properties.items():
        words = ['one of %s' % ', '.join(prop['enum'])] if 'enum' in prop else [type_words(prop)]
        if field in kind.required:
            words.append('required on create')
        if field in kind.secrets:
            words.append('secret')
        if field in updatable:
            words.append(update_words(updatable[field]))
        elif field not in kind.secrets:
            words.append(fixed_words)
        attrs.append('C(%s) (%s)' % (field, ', '.join(words)))
    return attrs
