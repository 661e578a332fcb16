"""The repository's nginx configuration, rendered and run in front of a test platform."""

import getpass
import os
import shutil
import string
import subprocess
from pathlib import Path

import httpx

from newsroom.ports import free_port
from shared.settings import Settings
from tests.support.platform import ROOT, wait_for
from tests.support.timing import scaled

TEMPLATE = ROOT / "deploy" / "nginx" / "newsroom.conf.template"
MIME_TYPES = Path("/etc/nginx/mime.types")

# The http {} frame the nginx image puts around conf.d/*.conf, with every path in `tmp`.
MAIN = """\
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include {mime};
    default_type application/octet-stream;
    sendfile on;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
"""


def nginx_binary() -> str:
    """Path of the nginx executable (scripts/test installs it)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise RuntimeError("nginx is not installed; scripts/test installs it")
    return found


def render_site(public_dir: Path, ingest: str, port: int, editorial_port: int) -> str:
    """The site template with its variables filled in, as nginx's envsubst does (both
    listeners on loopback)."""
    values = {
        "PUBLIC_DIR": str(public_dir),
        "INGEST": ingest,
        "PORT": f"127.0.0.1:{port}",
        "EDITORIAL_PORT": f"127.0.0.1:{editorial_port}",
        "MAX_BODY": str(Settings().max_body_bytes),
        "MEDIA_MAX_BODY": str(Settings().media_max_bytes),
    }
    return string.Template(TEMPLATE.read_text()).safe_substitute(values)


class Nginx:
    """nginx as the current user: the public site of `public_dir` on `url`, the editorial
    API of `ingest` on `editorial_url`."""

    def __init__(self, workdir: Path, public_dir: Path, ingest: str) -> None:
        self.tmp = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.editorial_port = free_port()
        self.editorial_url = f"http://127.0.0.1:{self.editorial_port}"
        self.site = workdir / "site.conf"
        self.main = workdir / "nginx.conf"
        workdir.mkdir(parents=True, exist_ok=True)
        self.site.write_text(render_site(public_dir, ingest, self.port, self.editorial_port))
        # As root, workers would run as nobody and could not read the test's folders.
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        self.main.write_text(MAIN.format(user=user, tmp=workdir, mime=MIME_TYPES, site=self.site))
        self.process: subprocess.Popen[bytes] | None = None

    def command(self, *args: str) -> list[str]:
        """An nginx command line using this configuration."""
        prefix = ["-p", str(self.tmp), "-c", str(self.main), "-e", str(self.tmp / "error.log")]
        return [nginx_binary(), *prefix, *args]

    def check(self) -> subprocess.CompletedProcess[str]:
        """`nginx -t` on the configuration."""
        return subprocess.run(self.command("-t"), capture_output=True, text=True, check=False)

    def start(self) -> None:
        """Run nginx in the foreground of a child process until it answers."""
        self.process = subprocess.Popen(self.command("-g", "daemon off;"))
        wait_for(lambda: httpx.get(self.url + "/api/health").status_code == 200, 10)

    def stop(self) -> None:
        """Stop nginx quickly."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(scaled(10))
