# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""5xx answers, writes applied but answered 5xx, slow answers and malformed answers.

Modules run in-process against the live sandbox; the sandbox's request log
and state say what really reached the API.
"""

from __future__ import annotations

import pytest

from ansible_collections.apiops.saas.plugins.module_utils.transport.retry import SERVER_ERROR_RETRIES

SERVER_SEED = {'runcloud': {'servers': [{'name': 'web-01', 'ipAddress': '192.0.2.10', 'users': [{'username': 'app', 'password': 'app-password-1'}]}]}}

CRON = {
    'kind': 'cron_job', 'server': 'web-01', 'name': 'nightly',
    'attributes': {'username': 'app', 'command': 'php artisan nightly', 'minute': '0', 'hour': '3',
                   'dayOfMonth': '*', 'month': '*', 'dayOfWeek': '*'},
}

PACKAGES = ['org.slf4j:slf4j-api:2.0.13', {'name': 'org.apache.logging.log4j:log4j-core', 'version': '2.23.1',
                                           'classes': ['org.apache.logging.log4j.core.Logger']}]


def runcloud_args(sandbox, **args):
    return dict(sandbox.connection('runcloud'), **args)


def lightrun_args(sandbox, **args):
    return dict(sandbox.connection('lightrun'), **args)


# Each case: (module, a builder of its arguments for a sandbox, the API it talks to).
CONVERGE_CASES = {
    'runcloud_resource': ('runcloud_resource', lambda sb: runcloud_args(sb, **CRON), 'runcloud'),
    'lightrun_watchlist': ('lightrun_watchlist', lambda sb: lightrun_args(sb, packages=PACKAGES), 'lightrun'),
}


def _count_rows(sandbox, api):
    """How many copies of what CONVERGE_CASES creates the sandbox holds, per identity."""
    state = sandbox.state()
    if api == 'runcloud':
        rows = [r for r in state['runcloud']['tables']['cronjobs'] if r['label'] == 'nightly']
        return {'nightly': len(rows)}
    packages = state['lightrun']['packages']
    counts = {}
    for package in packages:
        key = '%s:%s' % (package['packageName'], package['version'])
        counts[key] = counts.get(key, 0) + 1
    return counts


def _expected_rows(api):
    if api == 'runcloud':
        return {'nightly': 1}
    return {'org.slf4j:slf4j-api:2.0.13': 1, 'org.apache.logging.log4j:log4j-core:2.23.1': 1}


@pytest.mark.parametrize('case', sorted(CONVERGE_CASES))
def test_5xx_on_get_is_retried_and_converges(sandbox, module_runner, case):
    module, build, api = CONVERGE_CASES[case]
    sandbox.reset(SERVER_SEED)
    sandbox.faults({'errors': [
        {'status': 502, 'methods': ['GET'], 'api': api, 'count': 1},
        {'status': 503, 'methods': ['GET'], 'api': api, 'count': 1},
        {'status': 504, 'methods': ['GET'], 'api': api, 'count': 1},
    ]})
    run = module_runner(module, build(sandbox))
    assert run.exception is None, run.describe()
    assert not run.failed, run.describe()
    assert run.result['changed'] is True
    log = sandbox.requests(api)
    assert [r['status'] for r in log if r['fault'] == 'error'] == [502, 503, 504], log
    # The three failures came before the first answered GET, each one repeated.
    assert [r['method'] for r in log[:4]] == ['GET'] * 4, log
    assert _count_rows(sandbox, api) == _expected_rows(api)

    sandbox.clear_faults()
    sandbox.clear_log()
    again = module_runner(module, build(sandbox))
    assert not again.failed and again.result['changed'] is False, again.describe()
    assert sandbox.applied_writes(api) == []


@pytest.mark.parametrize('case', sorted(CONVERGE_CASES))
def test_503_on_applied_post_is_read_back_and_reported_done(sandbox, module_runner, case):
    # A write the server applied is never reported as a failure: the 503 answer to the POST
    # (which is never repeated) is followed by a read that finds what it created.
    module, build, api = CONVERGE_CASES[case]
    sandbox.reset(SERVER_SEED)
    sandbox.faults({'errors': [{'status': 503, 'methods': ['POST'], 'api': api, 'count': 1, 'apply': True}]})
    run = module_runner(module, build(sandbox))
    assert run.exception is None, run.describe()
    assert not run.failed, run.describe()
    assert run.result['changed'] is True, run.describe()
    posts = [r for r in sandbox.requests(api) if r['method'] == 'POST']
    assert len(posts) == 1, posts
    # The write did happen once: the API kept it even though it answered 503.
    assert _count_rows(sandbox, api) == _expected_rows(api)

    sandbox.clear_faults()
    sandbox.clear_log()
    again = module_runner(module, build(sandbox))
    assert not again.failed, again.describe()
    assert again.result['changed'] is False, again.describe()
    assert sandbox.applied_writes(api) == []
    assert _count_rows(sandbox, api) == _expected_rows(api)


TIMEOUT_CASES = [
    ('runcloud_ping', runcloud_args, 'runcloud', 'GET /ping'),
    ('runcloud_resource_info', lambda sb: runcloud_args(sb, kind='server', name='web-01'), 'runcloud', 'GET /servers'),
    ('lightrun_watchlist_info', lightrun_args, 'lightrun', 'GET /api/v1/watched-packages'),
    ('lightrun_watchlist', lambda sb: lightrun_args(sb, packages=PACKAGES), 'lightrun', 'GET /api/v1/watched-packages'),
]


@pytest.mark.parametrize('module,build,api,endpoint', TIMEOUT_CASES, ids=[c[0] for c in TIMEOUT_CASES])
def test_slow_get_fails_with_a_timeout_naming_the_endpoint(sandbox, module_runner, module, build, api, endpoint):
    sandbox.reset(SERVER_SEED)
    sandbox.faults({'delay': {'seconds': 1.5, 'methods': ['GET'], 'api': api}})
    run = module_runner(module, dict(build(sandbox), timeout=0.3))
    assert run.exception is None, run.describe()
    assert run.failed, run.describe()
    assert endpoint in run.msg and 'timed out' in run.msg and 'timeout' in run.msg, run.msg
    assert 'Traceback' not in run.stdout
    # Let the sandbox finish the delayed answers, so that they are not logged into the next test's log.
    sandbox.wait_idle()
    # Read timeouts of a GET are retried a bounded number of times, not forever (counted, not timed).
    method, path = endpoint.split(' ', 1)
    sent = [r for r in sandbox.requests(api) if r['method'] == method and r['path'].startswith(path)]
    assert 1 <= len(sent) <= 1 + SERVER_ERROR_RETRIES, sent


@pytest.mark.parametrize('case', sorted(CONVERGE_CASES))
def test_slow_post_is_never_repeated_and_read_back(sandbox, module_runner, case):
    # The sandbox applies the POST at once and answers it 1.5 s later; the client gives up after
    # 0.5 s, never sends the POST again, and reads back what the server did.
    module, build, api = CONVERGE_CASES[case]
    sandbox.reset(SERVER_SEED)
    sandbox.faults({'delay': {'seconds': 1.5, 'methods': ['POST'], 'api': api}})
    try:
        run = module_runner(module, dict(build(sandbox), timeout=0.5))
    finally:
        # The sandbox logs a delayed request once it has answered: wait for it, whatever the
        # outcome, so that it does not land in the next test's log.
        sandbox.wait_idle()
    assert run.exception is None, run.describe()
    assert not run.failed, run.describe()
    assert run.result['changed'] is True, run.describe()
    posts = [r for r in sandbox.requests(api) if r['method'] == 'POST']
    assert len(posts) == 1, posts
    assert _count_rows(sandbox, api) == _expected_rows(api)

    sandbox.clear_faults()
    sandbox.clear_log()
    again = module_runner(module, build(sandbox))
    assert not again.failed and again.result['changed'] is False, again.describe()
    assert sandbox.applied_writes(api) == []
    assert _count_rows(sandbox, api) == _expected_rows(api)


MALFORMED_MODULES = [
    ('runcloud_ping', runcloud_args, 'runcloud', 'GET /ping'),
    ('runcloud_resource_info', lambda sb: runcloud_args(sb, kind='server'), 'runcloud', 'GET /servers'),
    ('runcloud_resource', lambda sb: runcloud_args(sb, **CRON), 'runcloud', 'GET /servers'),
    ('lightrun_watchlist_info', lightrun_args, 'lightrun', 'GET /api/v1/watched-packages'),
    ('lightrun_watchlist', lambda sb: lightrun_args(sb, packages=PACKAGES), 'lightrun', 'GET /api/v1/watched-packages'),
]


@pytest.mark.parametrize('kind', ['invalid_json', 'html', 'empty'])
@pytest.mark.parametrize('module,build,api,endpoint', MALFORMED_MODULES, ids=[c[0] for c in MALFORMED_MODULES])
def test_malformed_answer_on_200_is_a_clear_failure(sandbox, module_runner, kind, module, build, api, endpoint):
    sandbox.reset(SERVER_SEED)
    sandbox.faults({'malformed': {'kind': kind, 'status': 200, 'methods': ['GET'], 'api': api}})
    run = module_runner(module, build(sandbox))
    assert run.exception is None, run.describe()
    assert run.failed, run.describe()
    # The client's malformed-envelope message spells the path as the caller gave it (no leading slash).
    method, path = endpoint.split(' ')
    assert endpoint in run.msg or '%s %s' % (method, path.lstrip('/')) in run.msg, run.msg
    assert 'Traceback' not in run.msg
    if kind != 'empty':
        assert 'not JSON' in run.msg, run.msg
    assert sandbox.applied_writes() == []


@pytest.mark.parametrize('kind', ['invalid_json', 'html', 'empty'])
@pytest.mark.parametrize('case', sorted(CONVERGE_CASES))
def test_malformed_error_page_on_post_is_a_clear_failure(sandbox, module_runner, kind, case):
    module, build, api = CONVERGE_CASES[case]
    sandbox.reset(SERVER_SEED)
    sandbox.faults({'malformed': {'kind': kind, 'status': 502, 'methods': ['POST'], 'api': api}})
    run = module_runner(module, build(sandbox))
    assert run.exception is None, run.describe()
    assert run.failed, run.describe()
    assert 'POST /' in run.msg and '502' in run.msg, run.msg
    posts = [r for r in sandbox.requests(api) if r['method'] == 'POST']
    assert len(posts) == 1, posts
    if kind == 'html':
        assert 'HTML page' in run.msg, run.msg
