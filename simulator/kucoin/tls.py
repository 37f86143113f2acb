"""TLS for the served simulator (``https://`` and ``wss://``): a certificate given, or a
throw-away one made on the spot.

Some clients speak only ``wss://`` (python-kucoin's socket manager hands the token's
``encrypt`` flag to its WebSocket library as ``ssl``, which that library refuses for a
``ws://`` address). The throw-away certificate is signed by a throw-away authority, made
fresh each time, for ``localhost``, ``127.0.0.1``, ``::1`` and any other names asked for; a
client trusts it by its ``ca.pem`` (for Python's ``ssl``: ``SSL_CERT_FILE``; for requests:
``REQUESTS_CA_BUNDLE``). Made with the ``cryptography`` package.
"""

from __future__ import annotations

import datetime
import ipaddress
import tempfile
from collections.abc import Iterable
from pathlib import Path

import attrs

__all__ = ["Tls", "throwaway_tls"]

_DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")


@attrs.frozen
class Tls:
    """Where the server's certificate chain and key are (PEM); ``ca`` is the certificate a
    client must trust, when the server made its own."""

    cert: Path
    key: Path
    ca: Path | None = None


def throwaway_tls(names: Iterable[str] = (), directory: Path | None = None) -> Tls:
    """A fresh authority and a server certificate it signed, valid for a week, written to
    ``directory`` (a new temporary one by default)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    where = directory or Path(tempfile.mkdtemp(prefix="kucoin-sim-tls-"))
    now = datetime.datetime.now(datetime.UTC)
    lifetime = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=7))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kucoin simulator throw-away CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(lifetime[0])
        .not_valid_after(lifetime[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    alternatives: list[x509.GeneralName] = []
    for name in dict.fromkeys((*_DEFAULT_NAMES, *names)):
        try:
            alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternatives.append(x509.DNSName(name))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(lifetime[0])
        .not_valid_after(lifetime[1])
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    pem = serialization.Encoding.PEM
    ca_path, cert_path, key_path = where / "ca.pem", where / "cert.pem", where / "key.pem"
    ca_path.write_bytes(ca.public_bytes(pem))
    cert_path.write_bytes(cert.public_bytes(pem) + ca.public_bytes(pem))
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Tls(cert=cert_path, key=key_path, ca=ca_path)
