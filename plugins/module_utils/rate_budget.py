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
  opened it) and how long a window lasts, learned from ``Retry-After`` on a 429 or from the first
  request of the next window; the length is not documented, so it is measured, never assumed;
* until when nobody may send (a 429's ``Retry-After``, or the end of an exhausted window).

Once a window is used up and its length is known, every process waits for the next one instead of
being refused. While the length is still unknown, one process at a time sends a probe.

The state file lives in a per-user runtime directory (``XDG_RUNTIME_DIR``, or a ``0700``
directory of the user's own under the temporary directory), is named by a SHA-256 hash of the URL
and the credential (never the credential itself) and is only read and written under
``fcntl.flock``. A lock dies with its process, so a crashed holder holds nothing; a reservation of
a process that died only counts until its window ends. Where no such directory can be used the
budget is switched off silently and requests go out as before.

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

STATE_VERSION = 1
# Seconds added after a window's computed end, for clocks and network latency.
MARGIN = 0.05
# A send counts in a newly opened window when it left at most this long before the window opened.
OVERLAP = 0.05
# How long a probe may stay unanswered before another process may send one.
PROBE_TIMEOUT = 10.0
# How often a process waiting for a probe looks again (seconds).
POLL = 0.1
# The wait after a 429 without Retry-After before anyone sends again.
FALLBACK_BLOCK = 1.0


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


def _new_state():
    return {'version': STATE_VERSION, 'limit': None, 'window': None, 'window_start': None, 'sent': [],
            'blocked_until': 0.0, 'window_end': None, 'probe_until': 0.0, 'remaining': None, 'previous_start': None}


class SharedBudget:
    """The shared budget of one API URL and credential (see the module docstring).

    :param url: the API's base URL.
    :param credentials: the credential values (token, or key and secret); only their hash is kept.
    :param directory: where the state file goes; default :func:`runtime_dir`.
    :param clock: wall clock (shared between processes), for tests.
    :param sleep: sleeping function, for tests.

    ``enabled`` is false when no usable directory was found; every method is then a no-op.
    """

    def __init__(self, url, credentials, directory=None, clock=time.time, sleep=time.sleep):
        self.clock = clock
        self.sleep = sleep
        self.path = None
        self.sent_at = None
        self._probing = False
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
        self.path = path

    @property
    def enabled(self):
        return self.path is not None

    @contextlib.contextmanager
    def _state(self):
        """The state under an exclusive lock; written back when the block ends without error."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with os.fdopen(os.dup(fd), 'r+', encoding='utf-8') as handle:
                text = handle.read()
                try:
                    state = json.loads(text) if text.strip() else _new_state()
                except ValueError:
                    state = _new_state()
                if not isinstance(state, dict) or state.get('version') != STATE_VERSION:
                    state = _new_state()
                yield state
                handle.seek(0)
                handle.truncate()
                handle.write(json.dumps(state))
                handle.flush()
        finally:
            # Closing the last descriptor releases the lock (and so does the death of the process).
            os.close(fd)

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
            try:
                with self._state() as state:
                    now = self.clock()
                    wait = self._decide(state, now)
            except OSError:
                # The directory went away or became unwritable: pace no more, never fail for it.
                self.path = None
                return waited
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

    def _decide(self, state, now):
        """``None`` after reserving a request in ``state``, or the seconds to wait before asking again."""
        self._probing = False
        if state['blocked_until'] > now:
            return state['blocked_until'] - now
        if state['window_end'] is not None and now >= state['window_end']:
            # The window a 429 announced is over.
            state['window_start'], state['sent'], state['window_end'] = None, [], None
        limit, window, start = state['limit'], state['window'], state['window_start']
        if start is not None and window is not None and now >= start + window + MARGIN:
            state['previous_start'] = start
            state['window_start'], state['sent'], start = None, [], None
        if limit is None or len(state['sent']) < limit:
            state['sent'].append(now)
            if start is None:
                state['window_start'] = now
            return None
        if start is not None and window is not None:
            state['blocked_until'] = start + window + MARGIN
            return state['blocked_until'] - now
        # The window is used up and its length unknown: one probe at a time learns it.
        if state['probe_until'] <= now:
            state['probe_until'] = now + PROBE_TIMEOUT
            state['sent'].append(now)
            self._probing = True
            return None
        return min(POLL, state['probe_until'] - now)

    def observe(self, status, headers, sent_at=None):
        """Learn from one answer: its ``X-RateLimit-*`` headers, and on a 429 its ``Retry-After``."""
        if not self.enabled:
            return
        sent_at = self.sent_at if sent_at is None else sent_at
        limit = _header_int(headers, 'X-RateLimit-Limit')
        remaining = _header_int(headers, 'X-RateLimit-Remaining')
        try:
            with self._state() as state:
                self._learn(state, self.clock(), status, headers, limit, remaining, sent_at)
        except OSError:
            self.path = None

    def _learn(self, state, now, status, headers, limit, remaining, sent_at):
        if self._probing:
            state['probe_until'] = 0.0
            self._probing = False
        if limit is not None and limit > 0:
            state['limit'] = limit
        limit = state['limit']
        start, window = state['window_start'], state['window']
        if status == 429:
            retry_after = retry_after_seconds(headers.get('Retry-After'), now)
            end = now + (retry_after if retry_after is not None else FALLBACK_BLOCK)
            state['blocked_until'] = max(state['blocked_until'], end)
            if retry_after is not None:
                state['window_end'] = max(state['window_end'] or 0.0, end)
                previous = state.get('previous_start')
                if window is not None and limit is not None and len(state['sent']) <= limit and previous is not None:
                    # Refused although the window was thought over and this one had room: the estimate was too short.
                    state['window'] = max(window, end - previous)
                elif start is not None and end - start > 0:
                    state['window'] = end - start if window is None else min(window, end - start)
            if limit is not None:
                state['sent'] = (state['sent'] + [now] * limit)[:max(limit, len(state['sent']))]
            state['remaining'] = 0
            return
        if remaining is None or limit is None:
            return
        state['remaining'] = remaining
        if remaining == limit - 1 and sent_at is not None:
            # This request opened a new window (exactly one answer per window says so). The window started
            # between the send and this answer; the answer's time is the better bound, because a busy
            # controller can take long to get a request out, never long to read a small answer.
            if start is None or now > start + OVERLAP:
                state['window_start'] = now
                state['sent'] = [t for t in state['sent'] if t >= sent_at - OVERLAP] or [sent_at]
            # The API confirms that a new window opened: the length that released it held.
            state['previous_start'] = None
            state['window_end'] = None
            return
        # Someone not sharing this budget (another controller, a run with the budget off) used the key too.
        used = limit - remaining
        if len(state['sent']) < used:
            state['sent'].extend([now] * (used - len(state['sent'])))


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
