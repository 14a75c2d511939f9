"""Debian's nginx serving a built site with the shipped deploy/nginx.conf, as a child process of the test run.

Only the listen lines, the certificate lines and the site path of the shipped file are changed (and, for a site at
the root of its host, the location and error_page lines as the file's own header comment says), so the tests prove
the file an operator copies. Each server runs in a temporary folder: its own main config, pid file, logs, temp
paths and a throwaway certificate for 127.0.0.1.
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import REPO

NGINX = Path("/usr/sbin/nginx")
SHIPPED = REPO / "deploy" / "nginx.conf"
SUB_PATH = "/xxgk/"
SUB_PATH_ONLY = "# sub-path only"
PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
_prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before any fork: the child only calls it

# What Debian's /etc/nginx/nginx.conf gives the server blocks of conf.d/, with every path in the server's folder.
# A single process: as root, worker processes would switch to a user who cannot read pytest's private folders.
MAIN_CONF = """\
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
    include {folder}/xxgk.conf;
}}
"""


def require() -> None:
    """Skip the calling test when Debian's nginx or openssl is missing (./dev test installs both as root)."""
    if not NGINX.exists():
        pytest.skip(f"{NGINX} is not installed (apt-get install nginx)")
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed (apt-get install openssl)")


def rewrite(text: str, *, http_port: int, https_port: int, folder: Path, site: Path, prefix: str) -> str:
    """The shipped config served from site on 127.0.0.1, at prefix ("/xxgk/" as shipped, or "/")."""
    edits = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "/etc/nginx/ssl/www.example.gov.cn.pem": str(folder / "cert.pem"),
        "/etc/nginx/ssl/www.example.gov.cn.key": str(folder / "key.pem"),
        "/srv/xxgk/current/": f"{site}/",
    }
    for old, new in edits.items():
        assert old in text, f"deploy/nginx.conf no longer contains {old!r}: update tests/nginx.py"
        text = text.replace(old, new)
    if prefix == "/":
        lines = [line for line in text.splitlines(keepends=True) if not line.rstrip().endswith(SUB_PATH_ONLY)]
        text = "".join(
            line.replace(SUB_PATH, "/") if line.split()[:1] in (["location"], ["error_page"]) else line
            for line in lines
        )
    return text


@dataclass(frozen=True)
class Server:
    """A running nginx: the site it serves, its HTTPS and plain-HTTP addresses, and a TLS context trusting it."""

    site: Path
    url: str
    http_url: str
    folder: Path
    tls: ssl.SSLContext

    def log(self) -> str:
        return (self.folder / "error.log").read_text(encoding="utf-8", errors="replace")


def _free_ports(count: int) -> list[int]:
    """Distinct local ports free right now (all held open together while the system picks them)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def _certificate(folder: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )


def _end_with_parent() -> None:
    """In the child before nginx starts: Linux sends it SIGTERM when the test run dies, even by SIGKILL or a timeout,
    so no nginx outlives the tests that started it."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_until_listening(process: subprocess.Popen, port: int, folder: Path, tls: ssl.SSLContext) -> bool:
    """Wait until this nginx answers TLS on port with its own certificate; False when something else holds the port
    (it was taken between _free_ports and nginx's start), so the caller tries other ports."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if "Address already in use" in (folder / "error.log").read_text():
                return False
            raise RuntimeError(f"nginx exited with {process.returncode}:\n{(folder / 'error.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                tls.wrap_socket(connection, server_hostname="127.0.0.1").close()
            return process.poll() is None
        except ssl.SSLError:  # another server, or another certificate: not this nginx
            return False
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not start listening within 10 seconds")


@contextmanager
def serve(site: Path, folder: Path, prefix: str = SUB_PATH, config: str | None = None) -> Iterator[Server]:
    """Run nginx on free local ports with config (default: the shipped file) rewritten for site, until exit."""
    require()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "temp").mkdir(exist_ok=True)
    _certificate(folder)
    tls = ssl.create_default_context(cafile=str(folder / "cert.pem"))
    text = SHIPPED.read_text(encoding="utf-8") if config is None else config
    for _ in range(5):  # free ports can be taken by another process before nginx listens on them
        http_port, https_port = _free_ports(2)
        process = _started(
            folder, rewrite(text, http_port=http_port, https_port=https_port, folder=folder, site=site, prefix=prefix)
        )
        try:
            if _wait_until_listening(process, https_port, folder, tls):
                break
        except BaseException:
            _stop(process)
            raise
        _stop(process)
    else:
        raise RuntimeError("nginx found no free ports in five tries")
    try:
        yield Server(
            site, f"https://127.0.0.1:{https_port}{prefix}", f"http://127.0.0.1:{http_port}{prefix}", folder, tls
        )
    finally:
        _stop(process)


def _started(folder: Path, site_conf: str) -> subprocess.Popen:
    """nginx started in folder with the site's configuration site_conf (checked first), its error log emptied."""
    (folder / "xxgk.conf").write_text(site_conf, encoding="utf-8")
    (folder / "nginx.conf").write_text(MAIN_CONF.format(folder=folder), encoding="utf-8")
    (folder / "error.log").write_text("", encoding="utf-8")
    command = [str(NGINX), "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")]
    subprocess.run([*command, "-t", "-q"], check=True, capture_output=True)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_end_with_parent)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)
