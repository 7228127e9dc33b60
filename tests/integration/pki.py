"""A throw-away test PKI made with openssl (for test_tls.py,
test_apps_origin.py and bench/apps): a CA and a server certificate it
signed, in a directory the caller owns and removes."""
import os
import subprocess


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_pki(d, dns_names=()):
    """A CA and a server certificate for 127.0.0.1, localhost and
    `dns_names` (e.g. "*.apps.localhost"), signed by it; the key is 0600.
    Returns (ca.pem, cert.pem, key.pem) paths."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=Berth Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign", cwd=d)
    _openssl("req", *ec, "-keyout", "key.pem", "-out", "srv.csr", "-subj", "/CN=localhost", cwd=d)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost" +
                "".join(",DNS:" + n for n in dns_names) + "\n"
                "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    _openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "cert.pem", "-days", "2", "-extfile", "ext.cnf", cwd=d)
    os.chmod(os.path.join(d, "key.pem"), 0o600)
    return tuple(os.path.join(d, n) for n in ("ca.pem", "cert.pem", "key.pem"))
