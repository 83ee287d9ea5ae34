# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How the shared budget learns a window nobody announces: a simulated fleet of processes, one shared state,
against a simulated server that answers 429 with X-RateLimit-Limit and X-RateLimit-Remaining only and opens its
next window at the first request after the previous one ended. Time is simulated (an event queue), so the
figures are the same on an idle and on an overloaded machine."""

from __future__ import annotations

import heapq

import pytest

from ansible_collections.apiops.saas.plugins.module_utils.transport import rate_budget
from ansible_collections.apiops.saas.plugins.module_utils.transport.rate_budget import (
    MemoryStore,
    SharedBudget,
    decide,
    learn,
    new_state,
    valid_state,
)


class Server:
    """A fixed-window limiter: a window opens at the first request after the last one ended (or, with
    ``anchor='clock'``, at multiples of the window); refused requests count but open nothing."""

    def __init__(self, limit, window, retry_after=False, anchor='first_request'):
        self.limit, self.window, self.retry_after, self.anchor = limit, window, retry_after, anchor
        self.start, self.count = None, 0
        self.answered, self.refused, self.windows = 0, 0, []

    def hit(self, now):
        if self.start is None or now - self.start >= self.window:
            self.start = now - now % self.window if self.anchor == 'clock' else now
            self.count = 0
            self.windows.append(0)
        self.count += 1
        headers = {'X-RateLimit-Limit': str(self.limit), 'X-RateLimit-Remaining': str(max(0, self.limit - self.count))}
        if self.count > self.limit:
            self.refused += 1
            if self.retry_after:
                headers['Retry-After'] = str(max(1, int(self.start + self.window - now + 0.999)))
            return 429, headers
        self.answered += 1
        self.windows[-1] += 1
        return 200, headers


def simulate(processes, each, limit, window, share=1.0, latency=0.02, retry_after=False, anchor='first_request',
             backoff=0.5, server=None, state=None, start=0.0):
    """``processes`` processes sending ``each`` requests each, as fast as the shared budget lets them; the time the
    last answer came, and the server. The first try after a 429 waits ``backoff`` (the client's backoff) first."""
    server = server or Server(limit, window, retry_after, anchor)
    state = new_state() if state is None else state
    events = [(start, index, 'acquire', None) for index in range(processes)]
    heapq.heapify(events)
    left = [each] * processes
    sequence = processes
    finished = start
    while events:
        now, _seq, kind, data = heapq.heappop(events)
        index = _seq % 1000
        if kind == 'acquire':
            wait, probing = decide(state, now, share)
            if wait is not None:
                sequence += 1
                heapq.heappush(events, (now + max(wait, 0.001), sequence * 1000 + index, 'acquire', None))
                continue
            status, headers = server.hit(now + latency / 2)
            sequence += 1
            heapq.heappush(events, (now + latency, sequence * 1000 + index, 'answer', (status, headers, now, probing)))
        else:
            status, headers, sent_at, probing = data
            learn(state, now, status, headers, sent_at, probing)
            if status != 429:
                left[index] -= 1
                finished = max(finished, now)
            if left[index]:
                sequence += 1
                heapq.heappush(events, (now + (backoff if status == 429 else 0.0), sequence * 1000 + index, 'acquire', None))
    return finished - start, server, state


# The ratio allowed to the floor: learning costs about two windows' worth at the start (the first window
# carries fewer requests, the first openings come late), and every window a margin and two round trips.
@pytest.mark.parametrize('limit, window, processes, each, ratio', [
    (10, 5.0, 20, 9, 1.10),      # the fleet benchmark: 180 requests at 10 per 5 s
    (60, 60.0, 20, 30, 1.15),    # 60 a minute, 10 minutes of requests
    (8, 2.0, 4, 13, 1.10),       # the fleet smoke
    (10, 1.0, 10, 30, 1.20),     # short windows: the margin and the round trips weigh more
    (30, 5.0, 20, 13, 1.25),     # only 9 windows: the cost of learning weighs more
])
def test_without_retry_after_few_refusals_near_the_floor(limit, window, processes, each, ratio):
    elapsed, server, state = simulate(processes, each, limit, window)
    total = processes * each
    assert server.answered == total
    assert max(server.windows) <= limit
    sent = server.answered + server.refused
    assert server.refused <= 0.05 * sent, (server.refused, sent)
    # The floor: every window but the last one full.
    floor = (total // limit - (1 if total % limit == 0 else 0)) * window
    assert elapsed <= ratio * floor, (elapsed, floor, server.windows)
    # It learnt the length, to within the tolerance, from above.
    assert state['window'] is not None and window <= state['window'] <= window * 1.03 + 0.2, state


def test_the_first_request_goes_alone_and_teaches_the_limit():
    state = new_state()
    assert decide(state, 100.0) == (None, True)
    # Everybody else waits for its answer instead of being refused.
    wait, probing = decide(state, 100.0)
    assert wait == pytest.approx(rate_budget.POLL) and not probing
    learn(state, 100.02, 200, {'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '9'}, 100.0, True)
    assert state['limit'] == 10 and state['window_start'] == 100.02 and state['opener_sent'] == 100.0
    assert state['probe_until'] == 0.0
    # Until the requests held back for learning: 1 + 5 immediately (10 - held_back(10) = 6 in all).
    assert rate_budget.held_back(10) == 4
    for _dummy in range(5):
        assert decide(state, 100.03) == (None, False)
    wait, _probing = decide(state, 100.03)
    assert wait == pytest.approx(100.02 + rate_budget.PROBE_FIRST - 100.03)


def test_bounds_from_answers_inside_and_the_opener_of_the_next_window():
    state = new_state()
    state.update(limit=3, window_start=10.0, opener_sent=9.99, sent=[9.99])
    headers = {'X-RateLimit-Limit': '3', 'X-RateLimit-Remaining': '1'}
    learn(state, 12.5, 200, headers, 12.4, False)
    assert state['low'] == pytest.approx(2.4)
    # The next window opened by a request sent at 16.0: the window lasted at most 16.02 - 9.99.
    learn(state, 16.02, 200, {'X-RateLimit-Limit': '3', 'X-RateLimit-Remaining': '2'}, 16.0, False)
    assert state['high'] == pytest.approx(16.02 - 9.99)
    assert state['window_start'] == 16.02 and state['sent'] == [16.0] or state['sent'][-1] == 16.0
    assert state['window'] is None
    # The last slot of the next windows halves the range: here it lands inside, so the window is longer than 4.2.
    state.update(sent=[16.0, 16.01])
    wait, _probing = decide(state, 16.03)
    assert wait == pytest.approx(16.02 + (2.4 + 6.03) / 2 - 16.03)


def test_a_refusal_in_a_window_thought_over_restarts_the_learning():
    state = new_state()
    state.update(limit=2, window=3.0, high=3.0, low=2.9, window_start=10.0, opener_sent=10.0, sent=[10.0, 10.0])
    assert decide(state, 13.1) == (None, False)
    assert state['previous_start'] == 10.0 and state['window_start'] == 13.1
    learn(state, 13.2, 429, {'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0'}, 13.1, False)
    # The old window still ran at 13.1: it is longer than 3.1, and the pacing length is learnt again.
    assert state['window'] is None and state['high'] is None and state['low'] == pytest.approx(3.1)
    assert state['window_start'] == 10.0
    wait, _probing = decide(state, 13.2)
    assert wait == pytest.approx(10.0 + 1.5 * 3.1 - 13.2)


def test_a_longer_window_found_later_is_followed():
    """The server's window grows from 2 s to 4 s in the middle of a run (a plan change): a few refusals, then paced again."""
    server = Server(5, 2.0)
    elapsed, server, state = simulate(4, 10, 5, 2.0, server=server)
    assert state['window'] == pytest.approx(2.0, abs=0.2)
    server.window = 4.0
    refused_before = server.refused
    _elapsed, server, state = simulate(4, 20, 5, 4.0, server=server, state=state, start=elapsed + 1)
    # Each window thought over too early costs a refusal and a new probe: a handful, not one per request.
    assert server.refused - refused_before <= 6
    assert state['window'] == pytest.approx(4.0, abs=0.2)


def test_clock_anchored_windows_never_fail_and_stay_bounded():
    elapsed, server, _state = simulate(10, 10, 10, 5.0, anchor='clock')
    assert server.answered == 100
    assert server.refused <= 0.15 * (server.answered + server.refused)
    assert elapsed <= 2 * 50


def test_with_retry_after_it_stays_as_good():
    elapsed, server, _state = simulate(20, 9, 10, 5.0, retry_after=True)
    assert server.refused <= 2 and elapsed <= 1.12 * 85 + 1


@pytest.mark.parametrize('share, cap', [(0.5, 5), (0.25, 2), (0.01, 1)])
def test_a_share_of_the_limit(share, cap):
    """Two slices of one job, each with half of the key: neither uses more than its share of a window
    (the learning probe aside), and together they stay under the limit."""
    elapsed, server, _state = simulate(10, 6, 10, 2.0, share=share)
    assert server.refused == 0
    assert max(server.windows[2:]) <= cap + 1, server.windows
    assert elapsed >= (60 / (cap + 1) - 1) * 2.0


def test_garbage_is_not_a_state():
    assert valid_state(new_state())
    assert not valid_state({'version': rate_budget.STATE_VERSION})
    assert not valid_state(dict(new_state(), sent='x'))
    assert not valid_state(dict(new_state(), limit=True))
    assert not valid_state(dict(new_state(), limit=0))
    assert not valid_state([1, 2])


class Unreachable:
    def __init__(self):
        self.calls = 0

    def update(self, change):
        self.calls += 1
        raise rate_budget.StoreUnavailable('the shared rate budget at redis://cache:6379/0 is unreachable')


def test_a_store_that_goes_away_leaves_the_process_paced_alone():
    clock = [50.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    store = MemoryStore()
    budget = SharedBudget('https://api.example.test', ['t'], clock=lambda: clock[0], sleep=sleep, store=store)
    budget.acquire()
    budget.observe(200, {'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '1'})
    budget.store = Unreachable()
    budget.acquire()
    budget.observe(200, {'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0'})
    # What the process knew goes on: the window is used up, so the next request waits instead of going out.
    assert budget.acquire(max_wait=30) > 0
    assert len(budget.warnings) == 1 and 'goes on paced by its own requests only' in budget.warnings[0]
    assert isinstance(budget.store, MemoryStore)


def test_a_refusal_while_the_window_had_room_teaches_nothing():
    """A 429 whose X-RateLimit-Remaining is above 0 is not the window running out (a storm of refusals, an
    overloaded server): a short hold for everyone, and the bounds stay as they were."""
    state = new_state()
    state.update(limit=10, window_start=10.0, opener_sent=9.99, sent=[9.99, 10.0], low=0.5)
    learn(state, 12.0, 429, {'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '7'}, 11.9, False)
    assert state['low'] == 0.5 and state['high'] is None and len(state['sent']) == 2
    assert state['blocked_until'] == pytest.approx(12.0 + rate_budget.FALLBACK_BLOCK)
