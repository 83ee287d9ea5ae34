# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A rate-limit budget shared by every process on the controller that uses one API URL and credential.

Each Ansible fork is its own process and learns the API's rate limit only from the answers it gets
itself, so with many forks most of them discover the limit by hitting it (HTTP 429). This module
keeps what any of them learned in one small state file, so that all of them pace themselves:

* the limit (``X-RateLimit-Limit``) and how much of the current window was used (every request is
  reserved here before it is sent, and ``X-RateLimit-Remaining`` corrects the count when someone
  else uses the same key);
* when the current window started (the answer whose ``X-RateLimit-Remaining`` is ``limit - 1``
  opened it) and how long a window lasts. The length is not documented, so it is measured, never
  assumed: from ``Retry-After`` on a 429 when the server sends one; otherwise from bounds that
  answers give without any refusal. A request answered within a window says the window is longer
  than the time from its opening to that send; the request that opens the next window says it is
  at most the time from the previous opening to that answer. While the length is unknown, the last
  requests of a window go out one at a time, later and later (each twice as late as the last one
  known to have landed, so they cannot be refused while the window still has room), until one of
  them opens the next window; then the last request of each window halves the range left, until
  the bounds meet;
* until when nobody may send (a 429's ``Retry-After``, or the end of an exhausted window).

Once a window is used up and its length is known, every process waits for the next one instead of
being refused. The very first request goes alone: its answer tells everyone the limit.

The state file lives in a per-user runtime directory (``XDG_RUNTIME_DIR``, or a ``0700``
directory of the user's own under the temporary directory), is named by a SHA-256 hash of the URL
and the credential (never the credential itself) and is only read and written under
``fcntl.flock``. A lock dies with its process, so a crashed holder holds nothing; a reservation of
a process that died only counts until its window ends. Where no such directory can be used the
budget is switched off silently and requests go out as before. The same state can live in a shared
store instead (``rate_budget_redis``), for runs on many machines; :func:`decide` and :func:`learn`
are pure functions of the state, so every store behaves the same.

No Ansible imports: modules, plugins and unit tests use it alike.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import os
import stat
import tempfile
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX controller
    fcntl = None

STATE_VERSION = 2
# Seconds added after a window's computed end, for clocks and network latency.
MARGIN = 0.05
# A send counts in a newly opened window when it left at most this long before the window opened.
OVERLAP = 0.05
# How long a probe may stay unanswered before another process may send one.
PROBE_TIMEOUT = 10.0
# How often a process waiting for a probe looks again (seconds).
POLL = 0.1
# The wait after a 429 without Retry-After, when nothing tells where the window started, before anyone sends again.
FALLBACK_BLOCK = 1.0
# While a window's length is unknown: the first held-back request goes this long after the window opened ...
PROBE_FIRST = 0.5
# ... each further one twice as late as the last request known to have landed in the window, while the window
# has room (such a request cannot be refused); once it is full, the next goes 1.5 times as late (it may be).
PROBE_GROWTH = 2.0
PROBE_GROWTH_FULL = 1.5
# The length is taken as known once its bounds are this close (seconds, or this share of the upper bound, or
# what the round trips blur: each bound is off by about one round trip, so halving further measures the noise).
TOLERANCE = 2 * MARGIN
TOLERANCE_SHARE = 0.02
TOLERANCE_RTTS = 1.0
# Weight of the newest round trip in the running estimate.
RTT_WEIGHT = 0.2


def runtime_dir(environ=None, tmpdir=None, uid=None):
    """The per-user directory for the state files, or ``None`` when there is none that is safe.

    ``XDG_RUNTIME_DIR`` when it is set and is a directory owned by the user and closed to others;
    otherwise ``<tmpdir>/apiops-saas-<uid>``, created ``0700`` if missing and used only when it is
    the user's own and closed to others (another user could otherwise read or plant state).
    """
    environ = os.environ if environ is None else environ
    uid = os.getuid() if uid is None else uid
    candidates = []
    if environ.get('XDG_RUNTIME_DIR'):
        candidates.append((environ['XDG_RUNTIME_DIR'], False))
    candidates.append((os.path.join(tmpdir or tempfile.gettempdir(), 'apiops-saas-%d' % uid), True))
    for path, create in candidates:
        if create:
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                pass
            except OSError:
                continue
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == uid and not info.st_mode & 0o077 and os.access(path, os.W_OK | os.X_OK):
            return path
    return None


def budget_key(url, credentials):
    """The state file's name part: a SHA-256 hash of the URL and the credentials, which it never contains."""
    digest = hashlib.sha256()
    digest.update((url or '').rstrip('/').encode('utf-8'))
    for credential in credentials or ():
        digest.update(b'\0')
        digest.update(str(credential).encode('utf-8'))
    return digest.hexdigest()[:40]


def retry_after_seconds(value, now=None):
    """``Retry-After`` as seconds from now (a number or an HTTP date); ``None`` when absent or unreadable."""
    if value is None:
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _header_int(headers, name):
    try:
        return int(headers.get(name))
    except (TypeError, ValueError, AttributeError):
        return None


class StoreUnavailable(Exception):
    """The shared store cannot be reached: the budget goes on with what this process knows."""


def held_back(cap):
    """How many requests of a window whose length is unknown wait to be sent one at a time, later and later in it:
    each one that lands in the window says the window is at least that long, and the first that opens the next
    window says how long it is at most, so no request is refused for the sake of learning the length."""
    return min(cap - 1, max(1, cap // 3 + 1)) if cap > 1 else 0


def new_state():
    """An empty budget: nothing learned."""
    return {'version': STATE_VERSION, 'limit': None, 'window': None, 'low': 0.0, 'high': None,
            'window_start': None, 'opener_sent': None, 'previous_start': None, 'previous_opener_sent': None,
            'sent': [], 'foreign': 0, 'blocked_until': 0.0, 'window_end': None, 'probe_until': 0.0, 'remaining': None,
            'rtt': 0.0}


def valid_state(state):
    """Whether ``state`` (decoded JSON from a file or a shared store) is a budget this version can use."""
    if not isinstance(state, dict) or state.get('version') != STATE_VERSION or set(state) != set(new_state()):
        return False
    numbers = ('low', 'blocked_until', 'probe_until', 'rtt')
    optional = ('limit', 'window', 'high', 'window_start', 'opener_sent', 'previous_start', 'previous_opener_sent',
                'window_end', 'remaining')

    def number(value):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return (all(number(state[key]) for key in numbers) and all(state[key] is None or number(state[key]) for key in optional)
            and isinstance(state['sent'], list) and all(number(item) for item in state['sent'])
            and number(state['foreign']) and (state['limit'] is None or state['limit'] > 0))


def pacing_window(state):
    """The window length requests are paced by: the known one, else the learnt upper bound (never too short)."""
    return state['window'] if state['window'] is not None else state['high']


def _close_window(state):
    if state['opener_sent'] is not None:
        state['previous_start'], state['previous_opener_sent'] = state['window_start'], state['opener_sent']
    state['window_start'], state['opener_sent'], state['sent'], state['foreign'] = None, None, [], 0


def _take_probe(state, now):
    if state['probe_until'] > now:
        return min(POLL, state['probe_until'] - now), False
    state['probe_until'] = now + PROBE_TIMEOUT
    state['sent'].append(now)
    if state['window_start'] is None:
        state['window_start'] = now
    return None, True


def decide(state, now, share=1.0):
    """Whether one more request may go now: ``(None, probing)`` after reserving it in ``state``, or
    ``(seconds to wait before asking again, False)``. Pure: no clock, no I/O (both stores run it)."""
    if state['blocked_until'] > now:
        return state['blocked_until'] - now, False
    if state['window_end'] is not None and now >= state['window_end']:
        # The window a 429's Retry-After announced is over.
        _close_window(state)
        state['window_end'] = None
    limit = state['limit']
    if limit is None:
        # Nothing known yet: one request learns the limit, instead of every process finding it by being refused.
        return _take_probe(state, now)
    cap = max(1, int(limit * share + 1e-9))
    pace = pacing_window(state)
    start = state['window_start']
    if start is not None and pace is not None and now >= start + pace + MARGIN:
        _close_window(state)
        start = None
    used = len(state['sent'])
    room = used < cap and used + state['foreign'] < limit
    learning = state['window'] is None
    if start is None or not learning:
        if room:
            state['sent'].append(now)
            if start is None:
                state['window_start'] = now
            return None, False
        if start is not None and pace is not None:
            state['blocked_until'] = start + pace + MARGIN
            return state['blocked_until'] - now, False
        # Used up, and no start to count from (the limit was learnt from a 429): one probe at a time.
        return _take_probe(state, now)
    # The window's length is being learnt: the last requests of a window go one at a time, later and later.
    low, high = state['low'], state['high']
    if high is None:
        if room and used < cap - held_back(cap):
            state['sent'].append(now)
            return None, False
        at = max(PROBE_FIRST, PROBE_GROWTH * low) if room else max(PROBE_FIRST, PROBE_GROWTH_FULL * low, low + MARGIN)
    else:
        if not room:
            state['blocked_until'] = start + high + MARGIN
            return state['blocked_until'] - now, False
        if used < cap - 1:
            state['sent'].append(now)
            return None, False
        # The last request of the window halves the range the length is known to be in.
        at = (low + high) / 2
    if now < start + at:
        return start + at - now, False
    return _take_probe(state, now)


def _converge(state):
    low, high = state['low'], state['high']
    if state['window'] is None and high is not None and high - low <= max(TOLERANCE, TOLERANCE_SHARE * high, TOLERANCE_RTTS * state['rtt']):
        state['window'] = high


def learn(state, now, status, headers, sent_at, probing=False):
    """Learn from one answer (pure, as :func:`decide`): its ``X-RateLimit-*`` headers, and on a 429 its
    ``Retry-After`` or, without one, when the request that was refused left."""
    if probing:
        state['probe_until'] = 0.0
    limit = _header_int(headers, 'X-RateLimit-Limit')
    remaining = _header_int(headers, 'X-RateLimit-Remaining')
    if limit is not None and limit > 0:
        state['limit'] = limit
    limit = state['limit']
    if status == 429:
        _learn_refusal(state, now, headers, limit, remaining, sent_at)
        return
    if sent_at is not None and now >= sent_at:
        state['rtt'] = now - sent_at if not state['rtt'] else (1 - RTT_WEIGHT) * state['rtt'] + RTT_WEIGHT * (now - sent_at)
    if remaining is None or limit is None:
        return
    state['remaining'] = remaining
    start = state['window_start']
    if remaining == limit - 1 and sent_at is not None:
        # This request opened a new window (exactly one answer per window says so). The window started
        # between the send and this answer; the answer's time is the later bound, so a window counted from
        # it never ends too early.
        if start is None or state['opener_sent'] is None or now > start + OVERLAP:
            if state['window'] is None:
                # The window before it lasted at most from its opener's send to this answer.
                before = state['opener_sent'] if state['opener_sent'] is not None else state['previous_opener_sent']
                if before is not None and now > before:
                    state['high'] = now - before if state['high'] is None else min(state['high'], now - before)
                    if state['high'] <= state['low']:
                        state['low'] = 0.0
                    _converge(state)
            state['window_start'], state['opener_sent'] = now, sent_at
            state['sent'] = [t for t in state['sent'] if t >= sent_at - OVERLAP] or [sent_at]
            state['foreign'] = 0
        state['previous_start'] = state['previous_opener_sent'] = None
        state['window_end'] = None
        return
    if start is not None and state['opener_sent'] is not None and sent_at is not None and state['window'] is None:
        # Answered within the window: the window is longer than the time from its opening to this send.
        state['low'] = max(state['low'], sent_at - start)
        if state['high'] is not None and state['low'] >= state['high']:
            state['high'] = None
        _converge(state)
    # Someone not sharing this budget (another controller, a slice of the job) used the key too.
    state['foreign'] = max(state['foreign'], limit - remaining - len(state['sent']))


def _learn_refusal(state, now, headers, limit, remaining, sent_at):
    start, window = state['window_start'], state['window']
    retry_after = retry_after_seconds(headers.get('Retry-After'), now)
    if retry_after is None and remaining is not None and remaining > 0:
        # Refused while the window still had room: not the rate limit's window (a burst of refusals, an overloaded
        # server). Nothing to learn about the window; everyone holds back briefly.
        state['blocked_until'] = max(state['blocked_until'], now + FALLBACK_BLOCK)
        return
    if retry_after is not None:
        end = now + retry_after
        state['blocked_until'] = max(state['blocked_until'], end)
        state['window_end'] = max(state['window_end'] or 0.0, end)
        previous = state['previous_start']
        if window is not None and limit is not None and len(state['sent']) <= limit and previous is not None:
            # Refused although the window was thought over and this one had room: the estimate was too short.
            state['window'] = max(window, end - previous)
        elif start is not None and end - start > 0:
            state['window'] = end - start if window is None else min(window, end - start)
    else:
        if state['opener_sent'] is None and state['previous_opener_sent'] is not None:
            # The window thought over is still running: it is longer than the pacing said.
            state['window_start'], state['opener_sent'] = state['previous_start'], state['previous_opener_sent']
            state['previous_start'] = state['previous_opener_sent'] = None
            state['window'] = state['high'] = None
        start = state['window_start']
        if start is not None and state['opener_sent'] is not None and sent_at is not None:
            state['low'] = max(state['low'], sent_at - start)
            if state['window'] is not None and state['low'] >= state['window']:
                state['window'] = None
            if state['high'] is not None and state['low'] >= state['high']:
                state['high'] = None
        else:
            state['blocked_until'] = max(state['blocked_until'], now + FALLBACK_BLOCK)
    if limit is not None:
        state['sent'] = (state['sent'] + [now] * limit)[:max(limit, len(state['sent']))]
    state['remaining'] = 0


class FileStore:
    """The budget's state in a file of the runtime directory, read and written under ``fcntl.flock``."""

    def __init__(self, path):
        self.path = path

    @contextlib.contextmanager
    def state(self):
        """The state under an exclusive lock; written back when the block ends without error."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with os.fdopen(os.dup(fd), 'r+', encoding='utf-8') as handle:
                text = handle.read()
                try:
                    state = json.loads(text) if text.strip() else new_state()
                except ValueError:
                    state = new_state()
                if not valid_state(state):
                    state = new_state()
                yield state
                handle.seek(0)
                handle.truncate()
                handle.write(json.dumps(state))
                handle.flush()
        finally:
            # Closing the last descriptor releases the lock (and so does the death of the process).
            os.close(fd)

    def update(self, change):
        """Run ``change(state)`` on the locked state and write it back; return what it returned."""
        with self.state() as state:
            return change(state)


class MemoryStore:
    """The state in this process only: what a process goes on with when the shared store went away."""

    def __init__(self, state=None):
        self.current = state if state is not None and valid_state(state) else new_state()

    @contextlib.contextmanager
    def state(self):
        yield self.current

    def update(self, change):
        return change(self.current)


class SharedBudget:
    """The shared budget of one API URL and credential (see the module docstring).

    :param url: the API's base URL.
    :param credentials: the credential values (token, or key and secret); only their hash is kept.
    :param directory: where the state file goes; default :func:`runtime_dir`.
    :param clock: wall clock (shared between processes), for tests.
    :param sleep: sleeping function, for tests.
    :param share: the fraction of the key's limit this run may use (``0 < share <= 1``).
    :param store: a shared store to keep the state in instead of the file (``update(change)``, raising
        :class:`StoreUnavailable` when it cannot be reached; ``describe()`` for messages).

    ``enabled`` is false when no usable directory was found; every method is then a no-op.
    ``warnings`` lists what the caller should tell the user (a store that went away, a store holding garbage).
    """

    def __init__(self, url, credentials, directory=None, clock=time.time, sleep=time.sleep, share=1.0, store=None):
        self.clock = clock
        self.sleep = sleep
        self.share = share
        self.store = None
        self.sent_at = None
        self.warnings = []
        self._probing = False
        self._last_state = None
        if store is not None:
            self.store = store
            return
        if fcntl is None:
            return
        directory = directory if directory is not None else runtime_dir()
        if directory is None:
            return
        path = os.path.join(directory, 'apiops-saas-rate-%s.json' % budget_key(url, credentials))
        try:
            # Created here, so the first use of an unwritable directory switches the budget off.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        except OSError:
            return
        self.store = FileStore(path)

    @property
    def enabled(self):
        return self.store is not None

    @property
    def path(self):
        """The state file (``None`` with another store or none)."""
        return getattr(self.store, 'path', None)

    def _state(self):
        """The state to look at or change directly (tests)."""
        return self.store.state()

    def warn(self, message):
        if message not in self.warnings:
            self.warnings.append(message)

    def _update(self, change):
        def remembered(state):
            result = change(state)
            self._last_state = json.loads(json.dumps(state))
            return result
        try:
            result = self.store.update(remembered)
        except StoreUnavailable as exc:
            # Never a failure: this process goes on alone, paced by what it knew.
            self.warn('%s; this task goes on paced by its own requests only' % exc)
            self.store = MemoryStore(self._last_state)
            result = self.store.update(remembered)
        for warning in getattr(self.store, 'warnings', ()):
            self.warn(warning)
        return result

    def acquire(self, max_wait=None):
        """Wait until the budget allows one more request and reserve it; return the seconds waited.

        ``max_wait`` caps the wait (the caller's ``rate_limit_timeout``): when it is spent the
        request goes out anyway and the API's 429 handling takes over. A wait longer than
        what is left of ``max_wait`` (a quota's "come back tomorrow" learnt by another process)
        is not started at all: the request goes out at once, so that its 429 fails the task now,
        with the API's own wait in the message, instead of after sleeping the whole budget.
        """
        if not self.enabled:
            return 0.0
        waited = 0.0
        while True:
            now = self.clock()
            try:
                wait, probing = self._update(lambda state: decide(state, now, self.share))
            except OSError:
                # The directory went away or became unwritable: pace no more, never fail for it.
                self.store = None
                return waited
            self._probing = probing
            if wait is None:
                self.sent_at = now
                return waited
            if max_wait is not None:
                left = max_wait - waited
                if left <= 0 or wait > left:
                    self.sent_at = self.clock()
                    return waited
            wait = max(wait, 0.001)
            self.sleep(wait)
            waited += wait

    def observe(self, status, headers, sent_at=None):
        """Learn from one answer: its ``X-RateLimit-*`` headers, and on a 429 its ``Retry-After``."""
        if not self.enabled:
            return
        sent_at = self.sent_at if sent_at is None else sent_at
        probing, self._probing = self._probing, False
        now = self.clock()
        try:
            self._update(lambda state: learn(state, now, status, headers, sent_at, probing))
        except OSError:
            self.store = None


class CostMeter:
    """What one client's requests cost: requests by method, 429 answers, seconds spent waiting."""

    def __init__(self):
        self.requests = {}
        self.rate_limited = 0
        self.wait_seconds = 0.0
        self.rate_limit = None

    def sent(self, method):
        self.requests[method] = self.requests.get(method, 0) + 1

    def waited(self, seconds):
        self.wait_seconds += max(0.0, seconds or 0.0)

    def answered(self, status, headers):
        if status == 429:
            self.rate_limited += 1
        limit = _header_int(headers, 'X-RateLimit-Limit')
        remaining = _header_int(headers, 'X-RateLimit-Remaining')
        if limit is not None or remaining is not None:
            self.rate_limit = {'limit': limit, 'remaining': remaining}

    def as_dict(self):
        return {'requests': dict(self.requests), 'total_requests': sum(self.requests.values()),
                'rate_limited': self.rate_limited, 'wait_seconds': round(self.wait_seconds, 3),
                'rate_limit': self.rate_limit}


def merge_costs(costs):
    """Sum cost dicts (:meth:`CostMeter.as_dict`) of one API; the last ``rate_limit`` seen wins."""
    total = CostMeter().as_dict()
    for cost in costs:
        for method, count in (cost.get('requests') or {}).items():
            total['requests'][method] = total['requests'].get(method, 0) + count
        total['total_requests'] += cost.get('total_requests') or 0
        total['rate_limited'] += cost.get('rate_limited') or 0
        total['wait_seconds'] = round(total['wait_seconds'] + (cost.get('wait_seconds') or 0.0), 3)
        if cost.get('rate_limit'):
            total['rate_limit'] = cost['rate_limit']
    return total
