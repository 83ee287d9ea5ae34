# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ca_path against a real TLS server on loopback whose certificate comes from a private CA (as a
self-hosted Lightrun behind a company CA): trusted with the CA's bundle, refused without it."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import json
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiClient, ApiError


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, issuer, public_key, signing_key, ca, now):
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    # Python 3.13 verifies strictly (VERIFY_X509_STRICT): both key identifiers must be there.
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False)
    if ca:
        builder = builder.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                      content_commitment=False, key_encipherment=False, data_encipherment=False,
                                                      key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture(scope='module')
def private_ca(tmp_path_factory):
    """A private CA, a server certificate for 127.0.0.1 it signed, and an HTTPS server with it."""
    folder = tmp_path_factory.mktemp('tls')
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate('apiops test CA', 'apiops test CA', ca_key.public_key(), ca_key, True, now)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = _certificate('127.0.0.1', 'apiops test CA', server_key.public_key(), ca_key, False, now)
    (folder / 'ca.pem').write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (folder / 'server.pem').write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    (folder / 'server.key').write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                                 serialization.NoEncryption()))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            data = json.dumps({'message': 'pong'}).encode()
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(folder / 'server.pem'), str(folder / 'server.key'))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {'url': 'https://127.0.0.1:%d/api/v2' % server.server_address[1], 'ca': str(folder / 'ca.pem')}
    server.shutdown()
    server.server_close()


def _client(url, **kwargs):
    return ApiClient('runcloud', url, token='tok-tls-1a2b', timeout=10, rate_limit_timeout=0, **kwargs)


def test_private_ca_is_trusted_with_ca_path(private_ca):
    assert _client(private_ca['url'], ca_path=private_ca['ca']).get('/ping') == {'message': 'pong'}


def test_private_ca_is_refused_without_ca_path(private_ca):
    with pytest.raises(ApiError) as failure:
        _client(private_ca['url']).get('/ping')
    assert 'certificate' in str(failure.value).lower() or 'ssl' in str(failure.value).lower(), str(failure.value)


def test_validate_certs_false_wins_over_ca_path(private_ca):
    client = _client(private_ca['url'], validate_certs=False, ca_path='/nonexistent/ca.pem')
    assert client.get('/ping') == {'message': 'pong'}
