"""A real, throwaway PostgreSQL for integration tests (the twin of
src/store/pg_test_server.h): Debian's `postgresql` binaries, a temp dir,
a Unix socket in that dir and no TCP port, trust auth for local
connections, run as the `postgres` system user when the tests run as root
(PostgreSQL refuses root). stop() stops it and removes the dir.
"""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile


def bin_dir():
    """The directory of initdb/pg_ctl, or None when not installed."""
    env = os.environ.get("BERTH_PG_BIN")
    if env:
        return env
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


class PgServer:
    def __init__(self):
        self.bin = bin_dir()
        self.dir = None
        self.started = False
        self.databases = 0

    def _run(self, *argv):
        cmd = list(argv)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="berth-pg-")
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = os.path.join(self.dir, "data")
        try:
            self._run(f"{self.bin}/initdb", "-D", data, "-U", "berth", "-A", "trust",
                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
            self._run(f"{self.bin}/pg_ctl", "-D", data, "-l", os.path.join(self.dir, "log"),
                      "-w", "-t", "60", "-o",
                      f"-c listen_addresses='' -k {self.dir} -c fsync=off", "start")
        except subprocess.CalledProcessError as e:
            log = ""
            try:
                with open(os.path.join(self.dir, "log")) as f:
                    log = f.read()[-3000:]
            except OSError:
                pass
            self.stop()
            raise RuntimeError(f"PostgreSQL did not start: {e.stderr!r}\n{log}")
        self.started = True
        return self

    def url(self, db, password=None):
        user = "berth" + (f":{password}" if password else "")
        return f"postgresql://{user}@/{db}?host={self.dir}"

    def psql(self, db, sql):
        """Runs `sql` with psql and returns its unaligned, tuples-only output."""
        p = subprocess.run([f"{self.bin}/psql", "-h", self.dir, "-U", "berth", "-d", db,
                            "-At", "-c", sql], check=True, capture_output=True, timeout=60)
        return p.stdout.decode().strip()

    def create_db(self):
        self.databases += 1
        name = f"berth_it_{self.databases}"
        self.psql("postgres", f"CREATE DATABASE {name}")
        return name

    def stop(self):
        if self.started:
            try:
                self._run(f"{self.bin}/pg_ctl", "-D", os.path.join(self.dir, "data"),
                          "-m", "immediate", "-w", "stop")
            except subprocess.CalledProcessError:
                pass
            self.started = False
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
