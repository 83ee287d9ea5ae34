"""The sandbox application: state store, admin API, fault injection, authentication and request log.

Order of processing for a request to one of the fake APIs (admin requests skip all of it):
1. count it in the RunCloud rate-limit window (feeds the X-RateLimit-* headers);
2. the "storm" fault may answer 429;
3. the "quota" fault, then the "rate_limit" fault, may answer 429;
4. authentication: 401 on a missing or wrong credential;
5. "errors" / "malformed" faults without "apply" answer instead of the API;
6. the API itself;
7. "errors" / "malformed" faults with "apply" replace the API's answer (its effect is kept);
8. the "delay" fault sleeps;
9. RunCloud rate-limit headers are added and the request is logged.
"""

import calendar
import email.utils
import hmac
import http
import math
import os
import re
import threading
import time

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from . import incident, lightrun, lightrun_org, reachability, runcloud
from .common import EXTENSION_KEY, ApiError, get_store, read_json

API_PREFIXES = (('lightrun', '/lightrun'), ('runcloud', '/runcloud/api/v2'))
READ_METHODS = ('GET', 'HEAD', 'OPTIONS')
DEFAULT_RATE_LIMIT = 60
DEFAULT_RATE_WINDOW = 60
DEFAULT_SETTINGS = {'lightrun_conflict_mode': 'reject_all', 'lightrun_max_page_size': 1000,
                    'runcloud_max_per_page': 40, 'profile': 'standard', 'lightrun_paging': 'auto',
                    'lightrun_sort': 'honour'}
# Permission levels the sandbox's Lightrun key holds (lightrun_org answers 403 for a missing one).
DEFAULT_SETTINGS['lightrun_key_levels'] = list(lightrun_org.LEVELS)
# "standard": kind but plausible answers; "strict": the documented behaviour wherever the
# documentation is less kind (docs/api-notes.md names the source of each strict behaviour).
PROFILES = ('standard', 'strict')
DEFAULT_CREDENTIALS = {'lightrun_key': 'sandbox-lightrun-key', 'runcloud_token': 'sandbox-runcloud-token',
                       'runcloud_key': 'sandbox-runcloud-key', 'runcloud_secret': 'sandbox-runcloud-secret'}
UNAUTHORIZED = {'lightrun': '401 Unauthorized', 'runcloud': 'Unauthenticated.'}
TOO_MANY = 'Too Many Attempts.'
MALFORMED_BODIES = {
    'invalid_json': ('{"data": [{"id": 1, "name": "truncated', 'application/json'),
    'html': ('<!DOCTYPE html>\n<html><head><title>Bad Gateway</title></head>'
             '<body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>\n', 'text/html'),
    'empty': ('', 'application/json'),
}
FAULT_KEYS = ('storm', 'rate_limit', 'errors', 'delay', 'malformed', 'quota')
QUOTA_SPENT = 'API quota exceeded for this month.'
API_CHOICES = ('lightrun', 'runcloud', 'both')
RATE_ANCHORS = ('first_request', 'clock')

admin = Blueprint('sandbox_admin', __name__, url_prefix='/_sandbox')


# --------------------------------------------------------------------------- faults

class Rule:
    """Which API requests a fault applies to: api ('both' by default), methods (all) and a path regex (all)."""

    def __init__(self, config, default_api='both'):
        self.config = config
        self.api = config.get('api') or default_api
        if self.api not in API_CHOICES:
            raise ApiError(400, 'api must be one of %s' % ', '.join(API_CHOICES))
        methods = config.get('methods')
        if methods is not None and not isinstance(methods, list):
            raise ApiError(400, 'methods must be a list')
        self.methods = [method.upper() for method in methods] if methods else None
        try:
            self.path = re.compile(config['path']) if config.get('path') else None
        except (re.error, TypeError) as exc:
            raise ApiError(400, 'path is not a valid regular expression: %s' % exc) from exc
        count = config.get('count')
        if count is not None and (not isinstance(count, int) or count < 0):
            raise ApiError(400, 'count must be an integer >= 0')
        self.left = count

    def covers(self, api):
        """Whether the rule is for this API."""
        return self.api in ('both', api)

    def matches(self, api, method, path):
        """Whether the rule applies to this request (the remaining count is not consumed)."""
        return (self.covers(api) and (self.methods is None or method in self.methods)
                and (self.path is None or self.path.search(path) is not None) and self.left != 0)

    def consume(self):
        """Use one of the remaining `count` occurrences."""
        if self.left is not None:
            self.left -= 1


def _number(config, key, default, minimum, name):
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ApiError(400, '%s.%s must be a number >= %s' % (name, key, minimum))
    return value


class Faults:
    """The validated fault configuration and its counters."""

    def __init__(self, config=None):
        config = config or {}
        if not isinstance(config, dict) or set(config) - set(FAULT_KEYS):
            raise ApiError(400, 'faults must be an object with keys among %s' % ', '.join(FAULT_KEYS))
        self.config = config
        self.storm = self.rate_limit = self.delay = None
        if config.get('storm'):
            self.storm = Rule(config['storm'])
            self.storm_every = int(_number(config['storm'], 'every', 2, 1, 'storm'))
            retry_after = config['storm'].get('retry_after')
            if retry_after not in (None, 'date') and (isinstance(retry_after, bool) or
                                                      not isinstance(retry_after, (int, float))):
                raise ApiError(400, 'storm.retry_after must be null, a number of seconds or "date"')
            self.storm_seen = 0
        if config.get('rate_limit'):
            self.rate_limit = Rule(config['rate_limit'], default_api='runcloud')
            self.rate_limit.limit = int(_number(config['rate_limit'], 'limit', DEFAULT_RATE_LIMIT, 0, 'rate_limit'))
            self.rate_limit.window = _number(config['rate_limit'], 'window', DEFAULT_RATE_WINDOW, 1, 'rate_limit')
            # When a window opens: at the first request after the previous one ended (a counter that expires
            # a window after its first hit, as Laravel's throttle keeps it), or at multiples of the window
            # on the clock.
            self.rate_limit.anchor = config['rate_limit'].get('anchor', 'first_request')
            if self.rate_limit.anchor not in RATE_ANCHORS:
                raise ApiError(400, 'rate_limit.anchor must be one of %s' % ', '.join(RATE_ANCHORS))
            if not isinstance(config['rate_limit'].get('retry_after', False), bool):
                raise ApiError(400, 'rate_limit.retry_after must be true or false')
        self.quota = None
        if config.get('quota'):
            # RunCloud's monthly API-call quota: after `limit` matching requests every one is answered 429
            # with a Retry-After of the seconds left in the month (or `retry_after`).
            self.quota = Rule(config['quota'], default_api='runcloud')
            self.quota.limit = int(_number(config['quota'], 'limit', 0, 0, 'quota'))
            self.quota.retry_after = config['quota'].get('retry_after')
            if self.quota.retry_after is not None:
                _number(config['quota'], 'retry_after', 1, 1, 'quota')
            self.quota.used = 0
        if config.get('delay'):
            self.delay = Rule(config['delay'])
            self.delay.seconds = _number(config['delay'], 'seconds', 1, 0, 'delay')
        self.replacements = []
        errors = config.get('errors') or []
        if not isinstance(errors, list):
            raise ApiError(400, 'errors must be a list')
        for entry in errors:
            status = entry.get('status', 503)
            if not isinstance(status, int) or not 400 <= status <= 599:
                raise ApiError(400, 'errors[].status must be an HTTP error status')
            self.replacements.append(Rule(entry))
        malformed = config.get('malformed') or []
        for entry in malformed if isinstance(malformed, list) else [malformed]:
            if entry.get('kind') not in MALFORMED_BODIES:
                raise ApiError(400, 'malformed.kind must be one of %s' % ', '.join(MALFORMED_BODIES))
            self.replacements.append(Rule(entry))

    def storm_hits(self, api, method, path):
        """Count a request towards the storm; True when it is the Nth one."""
        if self.storm is None or not self.storm.matches(api, method, path):
            return False
        self.storm_seen += 1
        return self.storm_seen % self.storm_every == 0

    def quota_retry_after(self, api, method, path):
        """Count a request against the quota; the Retry-After seconds once it is spent, else None."""
        if self.quota is None or not self.quota.matches(api, method, path):
            return None
        self.quota.used += 1
        if self.quota.used <= self.quota.limit:
            return None
        if self.quota.retry_after is not None:
            return int(math.ceil(self.quota.retry_after))
        now = time.gmtime()
        year, month = (now.tm_year + 1, 1) if now.tm_mon == 12 else (now.tm_year, now.tm_mon + 1)
        return max(1, int(calendar.timegm((year, month, 1, 0, 0, 0)) - time.time()))

    def replacement(self, api, method, path):
        """The first errors/malformed rule for this request, its count consumed; or None."""
        for rule in self.replacements:
            if rule.matches(api, method, path):
                rule.consume()
                return rule
        return None


def _json_answer(status, message, headers=None):
    response = jsonify({'message': message})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _replacement_response(rule):
    """The answer an errors/malformed rule gives."""
    config = rule.config
    if 'kind' in config:
        body, mimetype = MALFORMED_BODIES[config['kind']]
        return Response(body, status=config.get('status', 200), mimetype=mimetype)
    status = config.get('status', 503)
    return _json_answer(status, config.get('message') or http.HTTPStatus(status).phrase)


def _storm_response(storm_config):
    retry_after = storm_config.get('retry_after')
    headers = {}
    if retry_after == 'date':
        # HTTP dates have one second resolution: round up so the date is at least 1 s ahead.
        headers['Retry-After'] = email.utils.formatdate(math.ceil(time.time()) + 1, usegmt=True)
    elif retry_after is not None:
        headers['Retry-After'] = str(retry_after)
    return _json_answer(429, TOO_MANY, headers)


# --------------------------------------------------------------------------- state

class Store:
    """Everything the sandbox remembers, behind one re-entrant lock."""

    def __init__(self, credentials=None, profile='standard'):
        self.lock = threading.RLock()
        # Not part of reset(): requests still being answered while a test resets are still in flight.
        self.in_flight = 0
        # Bumped whenever the log is emptied: a request logs itself only into the log that was current
        # when it arrived, so an answer still delayed from before a clear or reset never shows up in the
        # next test's log.
        self.log_generation = 0
        self.credentials = dict(DEFAULT_CREDENTIALS, **(credentials or {}))
        self.quiet = False
        if profile not in PROFILES:
            raise ValueError('profile must be one of %s' % ', '.join(PROFILES))
        # The profile the sandbox started with; a reset comes back to it.
        self.start_profile = profile
        self.reset()

    @property
    def strict(self):
        """Whether the sandbox answers as the documentation says where it is less kind."""
        return self.settings.get('profile') == 'strict'

    def reset(self):
        """Forget all state, the log, the faults and the rate-limit windows."""
        with self.lock:
            self.lightrun = lightrun.LightrunState()
            self.lightrun_org = lightrun_org.OrgState()
            self.reachability = reachability.ReachabilityState()
            self.incident = incident.IncidentState()
            self.runcloud = runcloud.RunCloudState()
            self.settings = dict(DEFAULT_SETTINGS, profile=self.start_profile)
            self.clear_log()
            self.set_faults({})

    def clear_log(self):
        """Empty the request log; answers still in flight from before stay out of the new one."""
        with self.lock:
            self.log = []
            self.log_generation += 1

    def set_faults(self, config):
        """Replace the fault configuration; counters and rate-limit windows restart."""
        with self.lock:
            self.faults = Faults(config)
            self.windows = {}

    def rate_window(self, api):
        """Count a request in the fixed window of its API; return (limit, remaining, seconds to reset, limited, window number)."""
        rule = self.faults.rate_limit
        limited = rule is not None and rule.covers(api)
        limit = rule.limit if limited else DEFAULT_RATE_LIMIT
        window = rule.window if limited else DEFAULT_RATE_WINDOW
        now = time.time()
        start, count, number = self.windows.get(api, (None, 0, 0))
        if start is None or now - start >= window:
            if limited and rule.anchor == 'clock':
                start = now - now % window
            else:
                start = now
            count, number = 0, number + 1
        count += 1
        self.windows[api] = (start, count, number)
        return limit, limit - count, max(1, int(math.ceil(start + window - now))), limited, number

    def update_settings(self, values):
        """Merge sandbox settings after checking them."""
        if not isinstance(values, dict):
            raise ApiError(400, 'settings must be an object')
        for key, value in values.items():
            if key not in DEFAULT_SETTINGS:
                raise ApiError(400, 'unknown setting %s; known: %s' % (key, ', '.join(DEFAULT_SETTINGS)))
            if key == 'lightrun_key_levels':
                lightrun_org.check_levels(value)
                continue
            if key == 'lightrun_conflict_mode' and value not in ('reject_all', 'partial'):
                raise ApiError(400, 'lightrun_conflict_mode must be reject_all or partial')
            if key == 'profile' and value not in PROFILES:
                raise ApiError(400, 'profile must be one of %s' % ', '.join(PROFILES))
            if key == 'lightrun_paging' and value not in ('auto',) + lightrun.PAGING_MODES:
                raise ApiError(400, 'lightrun_paging must be one of auto, %s' % ', '.join(lightrun.PAGING_MODES))
            if key == 'lightrun_sort' and value not in ('honour', 'ignore'):
                raise ApiError(400, 'lightrun_sort must be honour or ignore')
            if key in ('lightrun_conflict_mode', 'profile', 'lightrun_paging', 'lightrun_sort'):
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ApiError(400, '%s must be an integer >= 1' % key)
        with self.lock:
            self.settings.update(values)

    def seed(self, data):
        """Load a seed document on top of the current state."""
        if not isinstance(data, dict):
            raise ApiError(400, 'seed must be a JSON object')
        with self.lock:
            try:
                self.update_settings(data.get('settings') or {})
                self.lightrun.seed(data.get('lightrun') or {})
                self.lightrun_org.seed(data.get('lightrun') or {}, strict=self.strict)
                self.reachability.seed(data.get('lightrun') or {}, self.lightrun_org)
                self.incident.seed(data.get('lightrun') or {}, self.lightrun_org, self.reachability)
                self.runcloud.seed(data.get('runcloud') or {})
            except ApiError as exc:
                raise ApiError(400, 'Invalid seed: %s' % exc.message, exc.errors) from exc
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                raise ApiError(400, 'Invalid seed: %s' % exc) from exc

    def dump(self):
        """The whole state, for GET /_sandbox/state."""
        with self.lock:
            return {'lightrun': self.lightrun.dump(), 'runcloud': self.runcloud.dump(),
                    'lightrun_org': self.lightrun_org.dump(),
                    'reachability': self.reachability.dump(),
                    'incident': self.incident.dump(),
                    'settings': dict(self.settings), 'faults': self.faults.config}


# --------------------------------------------------------------------------- admin API

@admin.route('/requests', methods=['GET'])
def list_requests():
    """The request log, optionally of one API."""
    api = request.args.get('api')
    store = get_store()
    with store.lock:
        entries = [entry for entry in store.log if api in (None, '', entry['api'])]
        in_flight = store.in_flight
    # in_flight: API requests received and not yet logged (answers still being delayed, for example).
    return jsonify({'count': len(entries), 'writes': sum(1 for entry in entries if entry['write']),
                    'in_flight': in_flight, 'requests': entries})


@admin.route('/requests', methods=['DELETE'])
def clear_requests():
    """Empty the request log (sequence numbers start again at 1)."""
    store = get_store()
    store.clear_log()
    return Response(status=204)


@admin.route('/reset', methods=['POST'])
def reset():
    """Back to the initial state, then load the body as a seed if there is one."""
    seed_data = read_json()
    store = get_store()
    with store.lock:
        store.reset()
        if seed_data is not None:
            store.seed(seed_data)
    return jsonify({'ok': True})


@admin.route('/seed', methods=['POST'])
def seed():
    """Add seed data to the current state."""
    get_store().seed(read_json(default={}))
    return jsonify({'ok': True})


@admin.route('/state', methods=['GET'])
def state():
    """Everything, as JSON."""
    return jsonify(get_store().dump())


@admin.route('/faults', methods=['GET', 'PUT', 'DELETE'])
def faults():
    """Read, replace or clear the fault configuration."""
    store = get_store()
    if request.method == 'PUT':
        store.set_faults(read_json(default={}))
    elif request.method == 'DELETE':
        store.set_faults({})
    with store.lock:
        return jsonify(store.faults.config)


@admin.route('/settings', methods=['GET', 'PUT'])
def settings():
    """Read or change sandbox settings."""
    store = get_store()
    if request.method == 'PUT':
        store.update_settings(read_json(default={}))
    with store.lock:
        return jsonify(store.settings)


@admin.route('/', methods=['GET'])
def index():
    """Where the APIs are mounted."""
    root = request.host_url.rstrip('/')
    return jsonify(dict((api, root + prefix) for api, prefix in API_PREFIXES))


# --------------------------------------------------------------------------- request hooks

def _classify(path):
    """(api, path relative to the API base) or (None, None) for anything else."""
    for api, prefix in API_PREFIXES:
        if path == prefix or path.startswith(prefix + '/'):
            return api, path[len(prefix):] or '/'
    return None, None


def _authorized(api, credentials):
    header = request.headers.get('Authorization', '')
    scheme, dummy, value = header.partition(' ')
    if scheme.lower() == 'bearer':
        expected = credentials['lightrun_key' if api == 'lightrun' else 'runcloud_token']
        return hmac.compare_digest(value.strip().encode('utf-8'), expected.encode('utf-8'))
    basic = request.authorization
    if api == 'runcloud' and basic is not None and basic.type == 'basic':
        return (hmac.compare_digest((basic.username or '').encode('utf-8'),
                                    credentials['runcloud_key'].encode('utf-8')) &
                hmac.compare_digest((basic.password or '').encode('utf-8'),
                                    credentials['runcloud_secret'].encode('utf-8')))
    return False


def _before_api_request():
    api, path = _classify(request.path)
    if api is None:
        return None
    g.api, g.api_path, g.fault, g.replacement = api, path, None, None
    store = get_store()
    method = request.method
    with store.lock:
        # Counted until the request is logged, so a test can wait for answers it asked to be delayed.
        store.in_flight += 1
        g.log_generation = store.log_generation
    with store.lock:
        limit, remaining, reset_in, limited, g.rate_window = store.rate_window(api)
        if api == 'runcloud':
            g.rate_headers = {'X-RateLimit-Limit': str(limit), 'X-RateLimit-Remaining': str(max(0, remaining))}
        if store.faults.storm_hits(api, method, path):
            g.fault = 'storm'
            return _storm_response(store.faults.storm.config)
        quota_wait = store.faults.quota_retry_after(api, method, path)
        if quota_wait is not None:
            g.fault = 'quota'
            return _json_answer(429, QUOTA_SPENT, {'Retry-After': str(quota_wait)})
        if limited and remaining < 0:
            g.fault = 'rate_limit'
            headers = {'Retry-After': str(reset_in)} if store.faults.rate_limit.config.get('retry_after') else {}
            return _json_answer(429, TOO_MANY, headers)
    if not _authorized(api, store.credentials):
        return _json_answer(401, UNAUTHORIZED[api])
    with store.lock:
        rule = store.faults.replacement(api, method, path)
    if rule is None:
        return None
    g.fault = 'malformed' if 'kind' in rule.config else 'error'
    if rule.config.get('apply'):
        g.replacement = rule
        return None
    return _replacement_response(rule)


def _after_api_request(response):
    api = g.get('api')
    if api is None:
        return response
    store = get_store()
    if g.replacement is not None:
        response = _replacement_response(g.replacement)
    with store.lock:
        delay = store.faults.delay
        seconds = delay.seconds if delay is not None and delay.matches(api, request.method, g.api_path) else 0
    if seconds:
        time.sleep(seconds)
    for key, value in g.get('rate_headers', {}).items():
        response.headers[key] = value
    with store.lock:
        if g.log_generation == store.log_generation:
            store.log.append({'seq': len(store.log) + 1, 'api': api, 'method': request.method, 'path': g.api_path,
                              'query': request.args.to_dict(), 'status': response.status_code,
                              'write': request.method not in READ_METHODS, 'fault': g.fault,
                              'window': g.get('rate_window')})
        store.in_flight -= 1
    return response


def _api_error(exc):
    return jsonify(exc.payload()), exc.status


def _http_error(exc):
    api = g.get('api')
    if exc.code == 404 and api == 'runcloud':
        message = 'Not found'
    elif exc.code == 404 and api == 'lightrun':
        message = 'Not Found'
    elif exc.code == 405:
        message = 'The %s method is not supported for this route.' % request.method
    else:
        message = exc.description
    return _json_answer(exc.code, message)


def _server_error(exc):
    if not get_store().quiet:
        # Tracebacks hold no credentials: requests are never logged with their headers.
        current_app.logger.error('Unhandled error in the sandbox', exc_info=exc)
    return _json_answer(500, 'Server Error')


def create_app(credentials=None, seed_data=None, quiet=False, profile=None):
    """A new sandbox application with its own, empty (or seeded) state.

    ``profile`` is ``standard`` or ``strict`` (default: ``$SANDBOX_PROFILE`` or ``standard``).
    """
    app = Flask(__name__)
    app.json.sort_keys = False
    store = Store(credentials, profile or os.environ.get('SANDBOX_PROFILE') or 'standard')
    store.quiet = quiet
    app.extensions[EXTENSION_KEY] = store
    app.register_blueprint(admin)
    app.register_blueprint(lightrun.bp)
    app.register_blueprint(lightrun_org.bp)
    app.register_blueprint(reachability.bp)
    app.register_blueprint(incident.bp)
    app.register_blueprint(incident.admin_bp)
    app.register_blueprint(runcloud.bp)
    app.before_request(_before_api_request)
    app.after_request(_after_api_request)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    if seed_data:
        store.seed(seed_data)
    return app
