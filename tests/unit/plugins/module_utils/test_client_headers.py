# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every request carries both JSON headers, as RunCloud's introduction page requires (docs/api-notes.md)."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiClient

BASE = 'https://api.example.test/api/v2'


@pytest.mark.parametrize('method', ['GET', 'DELETE', 'POST', 'PUT', 'PATCH'])
@pytest.mark.parametrize('auth', [{'token': 'tok-1'}, {'basic_auth': ('key1', 'secret1')}])
@responses.activate
def test_json_headers_on_every_request(method, auth):
    responses.add(method, BASE + '/servers/1', json={'id': 1})
    api = ApiClient('runcloud', BASE, **auth)
    api.request(method, '/servers/1')
    api.request(method, '/servers/1', body={'name': 'a'})
    for call in responses.calls:
        assert call.request.headers['Content-Type'] == 'application/json'
        assert call.request.headers['Accept'] == 'application/json'
