"""Command line entry point: python -m apiops_sandbox (or tests/sandbox/run_sandbox.py)."""

import argparse
import json
import logging
import os
import signal
import sys
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import DEFAULT_CREDENTIALS, create_app
from .common import ApiError

ENVIRONMENT = {'lightrun_key': 'SANDBOX_LIGHTRUN_KEY', 'runcloud_token': 'SANDBOX_RUNCLOUD_TOKEN',
               'runcloud_key': 'SANDBOX_RUNCLOUD_KEY', 'runcloud_secret': 'SANDBOX_RUNCLOUD_SECRET'}


class SilentRequestHandler(WSGIRequestHandler):
    """No per-request access log: the sandbox keeps its own log, which never holds credentials."""

    def log_request(self, code='-', size='-'):
        """Do not log requests."""


def parse_args(argv=None):
    """Command line options; credentials default to the environment, then to the documented values."""
    parser = argparse.ArgumentParser(prog='run_sandbox.py', description='Local fake of the Lightrun and RunCloud APIs.')
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='port to listen on; 0 picks a free one (default)')
    parser.add_argument('--url-file', help='write the base URL to this file once the socket is bound')
    parser.add_argument('--seed', help='JSON seed file loaded at start')
    for name, variable in ENVIRONMENT.items():
        parser.add_argument('--' + name.replace('_', '-'), dest=name,
                            default=os.environ.get(variable, DEFAULT_CREDENTIALS[name]),
                            help='(env %s, default %s)' % (variable, DEFAULT_CREDENTIALS[name]))
    parser.add_argument('--quiet', action='store_true', help='no output besides the "listening" line')
    parser.add_argument('--profile', choices=('standard', 'strict'), default=None,
                        help='standard (kind answers) or strict (the documented behaviour); default $SANDBOX_PROFILE or standard')
    return parser.parse_args(argv)


def main(argv=None):
    """Serve until SIGTERM or SIGINT, then exit 0."""
    args = parse_args(argv)
    seed_data = None
    if args.seed:
        with open(args.seed, encoding='utf-8') as handle:
            seed_data = json.load(handle)
    logging.getLogger('werkzeug').setLevel(logging.ERROR)
    if args.quiet:
        logging.getLogger('werkzeug').disabled = True
    try:
        app = create_app(dict((name, getattr(args, name)) for name in ENVIRONMENT), seed_data, quiet=args.quiet, profile=args.profile)
    except ApiError as exc:
        sys.stderr.write('%s: %s %s\n' % (args.seed, exc.message, json.dumps(exc.errors or {})))
        return 2
    server = make_server(args.host, args.port, app, threaded=True, request_handler=SilentRequestHandler)
    host = args.host if ':' not in args.host else '[%s]' % args.host
    url = 'http://%s:%d' % (host, server.server_port)
    if args.url_file:
        with open(args.url_file, 'w', encoding='utf-8') as handle:
            handle.write(url)
    sys.stdout.write('Sandbox listening on %s\n' % url)
    sys.stdout.flush()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    # serve_forever runs in a thread so the main thread can wait for a signal and call shutdown(),
    # which would deadlock if called from the thread that runs serve_forever.
    worker = threading.Thread(target=server.serve_forever, name='sandbox-server', daemon=True)
    worker.start()
    while not stop.wait(0.5):
        if not worker.is_alive():
            return 1
    server.shutdown()
    server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
