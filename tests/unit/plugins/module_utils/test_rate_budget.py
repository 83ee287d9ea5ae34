# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the shared rate-limit budget: two processes, a crashed holder, an unwritable directory,
what it learns from headers and 429s, and the client's cost counters."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import signal
import stat
import time

import pytest
import responses

from ansible_collections.apiops.saas.plugins.module_utils.transport import rate_budget
from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiClient
from ansible_collections.apiops.saas.plugins.module_utils.transport.rate_budget import (
    CostMeter,
    SharedBudget,
    budget_key,
    merge_costs,
    retry_after_seconds,
    runtime_dir,
)

URL = 'https://api.example.test/api/v2'
TOKEN = 'tok-budget-5e4d3c2b1a'


class FakeClock:
    """Wall clock and sleep for one process: sleeping moves the clock."""

    def __init__(self, now=1000000.0):
        self.now = now
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def headers(limit, remaining, retry_after=None):
    values = {'X-RateLimit-Limit': str(limit), 'X-RateLimit-Remaining': str(remaining)}
    if retry_after is not None:
        values['Retry-After'] = str(retry_after)
    return values


def read_state(budget):
    with open(budget.path, encoding='utf-8') as handle:
        return json.load(handle)


def server_windows(stamps, window):
    """Counts per window of a fixed-window limiter (a window opens at the first request after the last one ended)."""
    counts, start = [], None
    for stamp in sorted(stamps):
        if start is None or stamp - start >= window:
            start = stamp
            counts.append(0)
        counts[-1] += 1
    return counts


def test_two_budgets_share_one_window(tmp_path):
    """Two budgets on one state file (two processes, one wall clock) never put more than the limit
    into one window between them: the window arithmetic on an injected clock, so the answer is the
    same on an idle and on an overloaded machine (the real two-process run is in the fault suite)."""
    limit, window = 4, 10.0
    clock = FakeClock()
    first = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    second = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    with first._state() as state:
        state.update(limit=limit, window=window)
    stamps, waited = [], {id(first): 0.0, id(second): 0.0}
    for _dummy in range(6):
        for budget in (first, second):
            waited[id(budget)] += budget.acquire(max_wait=120)
            stamps.append(budget.sent_at)
            # Each request takes a little while to go out and be answered.
            clock.now += 0.25
    counts = server_windows(stamps, window)
    assert max(counts) <= limit, counts
    assert sum(counts) == 12 and len(counts) == 3, counts
    # The waits were spent asleep, not lost: 12 requests at 4 per 10 s need two full windows.
    assert stamps[-1] - stamps[0] >= 2 * window, stamps
    # The waits were slept through the injected sleep, and add up to what the clock moved.
    assert sum(waited.values()) >= 2 * window - 12 * 0.25, waited


def test_separate_credentials_do_not_share(tmp_path):
    one = SharedBudget(URL, [TOKEN], directory=str(tmp_path))
    other = SharedBudget(URL, ['another-token'], directory=str(tmp_path))
    same = SharedBudget(URL + '/', [TOKEN], directory=str(tmp_path))
    assert one.path != other.path
    assert one.path == same.path


def test_state_file_never_holds_the_credential(tmp_path):
    budget = SharedBudget(URL, [TOKEN], directory=str(tmp_path))
    budget.acquire()
    budget.observe(200, headers(60, 59))
    assert TOKEN not in budget.path and budget_key(URL, [TOKEN]) in budget.path
    with open(budget.path, encoding='utf-8') as handle:
        assert TOKEN not in handle.read()
    assert stat.S_IMODE(os.stat(budget.path).st_mode) == 0o600


def _hold_lock_and_die(path, ready):
    fd = os.open(path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    ready.set()
    time.sleep(60)


def test_crashed_holder_holds_nothing(tmp_path):
    """A process killed while it holds the lock does not block the others."""
    budget = SharedBudget(URL, [TOKEN], directory=str(tmp_path))
    context = multiprocessing.get_context('fork')
    ready = context.Event()
    holder = context.Process(target=_hold_lock_and_die, args=(budget.path, ready))
    holder.start()
    assert ready.wait(30)
    # While it lives, the lock is really held.
    probe = os.open(budget.path, os.O_RDWR)
    with pytest.raises(BlockingIOError):
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(timeout=30)
    fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.close(probe)
    assert budget.acquire(max_wait=5) < 5
    assert len(read_state(budget)['sent']) == 1


def test_reservations_of_a_dead_process_end_with_their_window(tmp_path):
    clock = FakeClock()
    budget = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    with budget._state() as state:
        # A process reserved the whole window and died before any answer came.
        state.update(limit=3, window=10.0, window_start=clock.now, sent=[clock.now] * 3)
    waited_from = clock.now
    budget.acquire(max_wait=60)
    assert clock.now >= waited_from + 10.0
    assert len(read_state(budget)['sent']) == 1


def test_unwritable_directory_switches_the_budget_off(tmp_path):
    not_a_directory = tmp_path / 'file'
    not_a_directory.write_text('x')
    budget = SharedBudget(URL, [TOKEN], directory=str(not_a_directory))
    assert not budget.enabled
    assert budget.acquire() == 0.0
    budget.observe(429, headers(1, 0, 5))


def test_directory_that_goes_away_switches_the_budget_off(tmp_path):
    directory = tmp_path / 'runtime'
    directory.mkdir()
    budget = SharedBudget(URL, [TOKEN], directory=str(directory))
    assert budget.enabled
    os.unlink(budget.path)
    directory.rmdir()
    (tmp_path / 'runtime').write_text('now a file')
    assert budget.acquire() >= 0.0
    assert not budget.enabled


def test_client_works_without_a_usable_directory(monkeypatch):
    monkeypatch.setattr(rate_budget, 'runtime_dir', lambda: None)
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, URL + '/ping', json={'message': 'pong'}, headers=headers(60, 59))
        api = ApiClient('runcloud', URL, token=TOKEN, shared_rate_budget=True)
        assert not api.budget.enabled
        assert api.get('/ping') == {'message': 'pong'}


def test_runtime_dir_prefers_xdg_runtime_dir(tmp_path):
    xdg = tmp_path / 'xdg'
    xdg.mkdir(mode=0o700)
    assert runtime_dir({'XDG_RUNTIME_DIR': str(xdg)}, tmpdir=str(tmp_path)) == str(xdg)


def test_runtime_dir_refuses_a_directory_open_to_others(tmp_path):
    xdg = tmp_path / 'xdg'
    xdg.mkdir()
    xdg.chmod(0o777)
    path = runtime_dir({'XDG_RUNTIME_DIR': str(xdg)}, tmpdir=str(tmp_path))
    assert path == str(tmp_path / ('apiops-saas-%d' % os.getuid()))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    own = tmp_path / ('apiops-saas-%d' % os.getuid())
    own.chmod(0o755)
    assert runtime_dir({}, tmpdir=str(tmp_path)) is None


def test_runtime_dir_refuses_another_users_directory(tmp_path):
    other = os.getuid() + 1
    assert runtime_dir({'XDG_RUNTIME_DIR': str(tmp_path)}, tmpdir=str(tmp_path / 'missing' / 'deeper'), uid=other) is None


def test_runtime_dir_none_when_nothing_can_be_created(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    assert runtime_dir({}, tmpdir=str(blocker)) is None


def test_learns_limit_window_and_waits_for_the_next_window(tmp_path):
    """Limit from the headers; the window's length from the probe's 429; then waiting instead of 429s."""
    clock = FakeClock()
    budget = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    opened = clock.now
    for remaining in (2, 1, 0):
        assert budget.acquire() == 0.0
        budget.observe(200, headers(3, remaining))
        clock.now += 0.5
    # The window is used up and its length unknown: this request is the one probe.
    budget.acquire()
    assert read_state(budget)['probe_until'] > clock.now
    budget.observe(429, headers(3, 0, retry_after=4))
    state = read_state(budget)
    assert state['probe_until'] == 0.0
    assert state['blocked_until'] == clock.now + 4
    assert state['window'] == pytest.approx(clock.now + 4 - opened)
    # Nobody sends before the window ends; then a new window opens.
    before = clock.now
    budget.acquire(max_wait=60)
    assert clock.now >= before + 4
    budget.observe(200, headers(3, 2))
    new_start = read_state(budget)['window_start']
    assert new_start == clock.now
    for remaining in (1, 0):
        budget.acquire()
        budget.observe(200, headers(3, remaining))
    # Used up again: with the window known, it waits for its end without any probe or 429.
    budget.acquire(max_wait=60)
    assert clock.now >= new_start + state['window']
    assert read_state(budget)['probe_until'] == 0.0


def test_other_users_of_the_key_are_counted(tmp_path):
    clock = FakeClock()
    budget = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    budget.acquire()
    budget.observe(200, headers(10, 9))
    budget.acquire()
    # Someone else sent seven requests meanwhile.
    budget.observe(200, headers(10, 1))
    state = read_state(budget)
    assert len(state['sent']) + state['foreign'] == 9


def test_a_429_blocks_everyone_until_retry_after(tmp_path):
    clock = FakeClock()
    first = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    second = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    first.acquire()
    first.observe(429, {'Retry-After': '7'})
    before = clock.now
    waited = second.acquire(max_wait=60)
    assert clock.now == pytest.approx(before + 7)
    assert waited >= 0.0


def test_a_429_without_retry_after_blocks_briefly(tmp_path):
    clock = FakeClock()
    budget = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    budget.acquire()
    budget.observe(429, {})
    assert read_state(budget)['blocked_until'] == clock.now + rate_budget.FALLBACK_BLOCK


def test_a_429_after_the_window_was_thought_over_lengthens_it(tmp_path):
    clock = FakeClock()
    budget = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    opened = clock.now - 3.0
    with budget._state() as state:
        state.update(limit=5, window=2.0, window_start=opened, opener_sent=opened, sent=[])
    # The window is thought over, so this request opens a new one; the API still counts the old one.
    budget.acquire()
    budget.observe(429, headers(5, 0, retry_after=6))
    assert read_state(budget)['window'] == pytest.approx(clock.now + 6 - opened)


def test_wait_is_capped_by_max_wait(tmp_path):
    clock = FakeClock()
    budget = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    with budget._state() as state:
        state.update(blocked_until=clock.now + 100)
    before = clock.now
    budget.acquire(max_wait=0)
    assert clock.now == before


def test_a_block_longer_than_max_wait_is_not_slept(tmp_path):
    # Another process learnt a quota's day-long Retry-After: waiting part of it is pointless, the
    # request goes out at once and its own 429 fails the task with the real wait in the message.
    clock = FakeClock()
    budget = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    with budget._state() as state:
        state.update(blocked_until=clock.now + 86400)
    before = clock.now
    assert budget.acquire(max_wait=300) == 0.0
    assert clock.now == before


def test_a_block_shorter_than_max_wait_is_waited_out(tmp_path):
    clock = FakeClock()
    budget = SharedBudget(URL, [TOKEN], directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    with budget._state() as state:
        state.update(blocked_until=clock.now + 20)
    before = clock.now
    assert budget.acquire(max_wait=300) >= 20
    assert clock.now >= before + 20


def test_corrupt_state_is_started_afresh(tmp_path):
    budget = SharedBudget(URL, [TOKEN], directory=str(tmp_path))
    with open(budget.path, 'w', encoding='utf-8') as handle:
        handle.write('{not json')
    assert budget.acquire() == 0.0
    assert read_state(budget)['version'] == rate_budget.STATE_VERSION


@pytest.mark.parametrize('value, expected', [('3', 3.0), ('0', 0.0), (None, None), ('soon', None), ('-2', 0.0)])
def test_retry_after_seconds(value, expected):
    assert retry_after_seconds(value, now=0) == expected


def test_retry_after_as_http_date():
    assert retry_after_seconds('Thu, 01 Jan 1970 00:00:10 GMT', now=4.0) == pytest.approx(6.0)


def test_cost_meter_and_merge():
    meter = CostMeter()
    meter.sent('GET')
    meter.sent('GET')
    meter.sent('POST')
    meter.answered(429, {})
    meter.answered(200, headers(60, 57))
    meter.waited(1.25)
    cost = meter.as_dict()
    assert cost == {'requests': {'GET': 2, 'POST': 1}, 'total_requests': 3, 'rate_limited': 1, 'wait_seconds': 1.25,
                    'rate_limit': {'limit': 60, 'remaining': 57}}
    later = CostMeter()
    later.sent('GET')
    later.answered(200, headers(60, 50))
    total = merge_costs([cost, later.as_dict()])
    assert total['requests'] == {'GET': 3, 'POST': 1} and total['total_requests'] == 4
    assert total['rate_limit'] == {'limit': 60, 'remaining': 50} and total['rate_limited'] == 1


def test_client_counts_every_try_429_and_wait(tmp_path, monkeypatch):
    """A 429 answered with Retry-After: 0 then a 200 costs two GETs, one 429, and tells the shared state."""
    monkeypatch.setattr(rate_budget, 'runtime_dir', lambda: str(tmp_path))
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, URL + '/ping', status=429, json={'message': 'Too Many Attempts.'},
                 headers=headers(2, 0, retry_after=0))
        mock.add(responses.GET, URL + '/ping', json={'message': 'pong'}, headers=headers(2, 1))
        mock.add(responses.POST, URL + '/servers', json={'id': 1}, headers=headers(2, 0))
        api = ApiClient('runcloud', URL, token=TOKEN, shared_rate_budget=True)
        assert api.get('/ping') == {'message': 'pong'}
        api.post('/servers', {'name': 'x'})
    cost = api.cost.as_dict()
    assert cost['requests'] == {'GET': 2, 'POST': 1} and cost['total_requests'] == 3
    assert cost['rate_limited'] == 1
    assert cost['rate_limit'] == {'limit': 2, 'remaining': 0}
    state = read_state(api.budget)
    assert state['limit'] == 2 and state['remaining'] == 0
    # Retry-After: 0 made the window about as long as the first round trip: the POST went into a new one.
    assert state['window'] is not None and state['sent'], state


def test_client_without_the_budget_keeps_no_state(tmp_path, monkeypatch):
    monkeypatch.setattr(rate_budget, 'runtime_dir', lambda: str(tmp_path))
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, URL + '/ping', json={'message': 'pong'}, headers=headers(60, 59))
        api = ApiClient('runcloud', URL, token=TOKEN)
        api.get('/ping')
    assert api.budget is None
    assert not os.listdir(str(tmp_path))
    assert api.cost.as_dict()['requests'] == {'GET': 1}
