"""Helpers shared by the admin API and both fake APIs."""

import datetime
import hashlib
import json

from flask import current_app, request

EXTENSION_KEY = 'apiops_sandbox'


class ApiError(Exception):
    """An answer other than success: raised anywhere in a view, turned into JSON by the app."""

    def __init__(self, status, message, errors=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors

    def payload(self):
        """The JSON body of the answer."""
        body = {'message': self.message}
        if self.errors is not None:
            body['errors'] = self.errors
        return body


def get_store():
    """The Store of the running application."""
    return current_app.extensions[EXTENSION_KEY]


def read_json(default=None, invalid_status=400):
    """The request's JSON body; `default` when the body is empty; an ApiError when it is not JSON."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return default
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError(invalid_status, 'The request body is not valid JSON.') from exc


def utc_now():
    """The current UTC time, without microseconds."""
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def runcloud_timestamp(moment=None):
    """A RunCloud style timestamp: 'YYYY-MM-DD HH:MM:SS'."""
    return (moment or utc_now()).strftime('%Y-%m-%d %H:%M:%S')


def iso_timestamp():
    """An ISO 8601 timestamp with milliseconds, as Lightrun's Java backend writes them."""
    moment = datetime.datetime.now(datetime.timezone.utc)
    return moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def fingerprint(secret):
    """A short, one-way digest of a write-only secret, so tests can see it changed without it being exposed."""
    return hashlib.sha256(str(secret).encode('utf-8')).hexdigest()[:12]


def int_arg(name, default, minimum):
    """An integer query parameter; None when present but not an integer at least `minimum`."""
    raw = request.args.get(name)
    if raw is None or raw == '':
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= minimum else None
