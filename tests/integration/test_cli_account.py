"""The `berth` CLI's account verbs (SPEC §6) against a real berthd: password
login (from stdin and from a terminal without echo), whoami, logout (the
minted token is revoked), `session list --all`, download --dest/--continue,
`upload -r` progress, `completion bash` sourced in bash, and the aliases."""
import hashlib
import json
import os
import pty
import select
import subprocess
import time

from berth_harness import BIN_DIR, err, fails, ok, out

TOKEN_DIR = (".config", "berth")


def make_user(berthd, name, password):
    ok(berthd, "user", "create", name, "--password-stdin", input=(password + "\n").encode())


def saved(berthd, name):
    return os.path.join(berthd.data_dir, *TOKEN_DIR, name)


def hide_admin_token(berthd):
    """The CLI falls back to the data dir's admin.token: move it away."""
    admin = os.path.join(berthd.data_dir, "admin.token")
    os.rename(admin, admin + ".away")
    return lambda: os.rename(admin + ".away", admin)


def test_password_login_whoami_logout(berthd):
    make_user(berthd, "alice", "correct horse")
    restore = hide_admin_token(berthd)
    try:
        p = fails(berthd, "login", "--user", "alice", input=b"wrong\n", token=None)
        assert err(p).startswith("error: ") and "password" in err(p)
        assert not os.path.exists(saved(berthd, "token"))

        ok(berthd, "login", "--user", "alice", input=b"correct horse\n", token=None)
        assert os.stat(saved(berthd, "token")).st_mode & 0o777 == 0o600
        assert out(ok(berthd, "whoami", token=None)) == "alice (user)\n"
        me = json.loads(out(ok(berthd, "whoami", "-o", "json", token=None)))
        assert me["name"] == "alice" and me["role"] == "user"

        # The token is a real API token of alice's, labelled cli@HOST.
        with open(saved(berthd, "token")) as f:
            token = f.read().strip()
        tokens = berthd.api("GET", "/tokens", token=token).json()["tokens"]
        assert [t["label"] for t in tokens] == ["cli@" + os.uname().nodename]

        ok(berthd, "logout", token=None)
        assert not os.path.exists(saved(berthd, "token"))
        assert berthd.api("GET", "/me", token=token).status == 401  # revoked server-side
        fails(berthd, "whoami", token=None)
    finally:
        restore()


def run_on_pty(berthd, args, answer=None, prompt=b"", token=None, timeout=30):
    """Runs `berth ARGS` on a pseudo-terminal (stdin, stdout and stderr), as a
    user at a terminal would; writes `answer` once `prompt` appears. Returns
    (exit code, everything the terminal showed)."""
    env = dict(os.environ, BERTH_ENDPOINT=berthd.url, HOME=berthd.data_dir,
               BERTH_DATA_DIR=berthd.data_dir)
    env.pop("BERTH_TOKEN", None)
    if token:
        env["BERTH_TOKEN"] = token
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(os.path.join(BIN_DIR, "berth"), ["berth", *args], env)
    seen, status = b"", None
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                seen += chunk
            if answer is not None and prompt in seen:
                os.write(fd, answer)
                answer = None
        done, status = os.waitpid(pid, os.WNOHANG)
        if not done:
            if time.time() >= deadline:
                os.kill(pid, 9)
            _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return (os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1), seen


def test_password_login_on_a_terminal_does_not_echo(berthd):
    make_user(berthd, "bob", "s3cret-pw")
    code, seen = run_on_pty(berthd, ["login", "--user", "bob"], answer=b"s3cret-pw\n",
                            prompt=b"Password for bob")
    assert b"Password for bob" in seen, seen
    assert b"s3cret-pw" not in seen, seen  # echo was off
    assert code == 0, seen
    assert out(ok(berthd, "whoami", token=None)) == "bob (user)\n"


def folder_with_tree(berthd, tmp, files, size):
    """Creates folder `data` and a local tree/sub/f0..fN of random files."""
    ok(berthd, "folder", "create", "data")
    tree = tmp / "tree"
    (tree / "sub").mkdir(parents=True)
    for i in range(files):
        (tree / "sub" / f"f{i}").write_bytes(os.urandom(size))
    return tree


def test_upload_tree_shows_one_total_line_on_a_terminal(berthd, tmp):
    tree = folder_with_tree(berthd, tmp, 4, 200_000)
    code, seen = run_on_pty(berthd, ["folder", "upload", "data", "-r", str(tree)],
                            token=berthd.token)
    assert code == 0, seen
    assert b"files 4/4  781.2 KiB / 781.2 KiB" in seen, seen
    assert b"\r" in seen and b"Uploaded " in seen


def test_session_list_all_needs_a_superadmin(berthd):
    make_user(berthd, "carol", "pw-carol")
    ok(berthd, "login", "--user", "carol", input=b"pw-carol\n", token=None)
    p = fails(berthd, "session", "list", "--all", token=None)
    assert "superadmin" in err(p)
    table = out(ok(berthd, "session", "list", "--all"))  # the admin token
    assert "OWNER" in table or table == "No sessions.\n"
    assert json.loads(out(ok(berthd, "session", "list", "--all", "-o", "json")))["sessions"] == []


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_download_dest_and_continue(berthd, tmp):
    ok(berthd, "folder", "create", "data")
    src = tmp / "big.bin"
    src.write_bytes(os.urandom(9 << 20))
    ok(berthd, "folder", "upload", "data", str(src))
    dest = tmp / "got.bin"
    ok(berthd, "folder", "download", "data", "big.bin", "--dest", str(dest))
    assert sha(dest) == sha(src)

    # An interrupted download: half the file is there; --continue fetches the rest.
    with open(dest, "r+b") as f:
        f.truncate((9 << 20) // 2 + 17)
    p = ok(berthd, "folder", "download", "data", "big.bin", "--dest", str(dest), "--continue")
    assert "Resumed" in out(p)
    assert sha(dest) == sha(src)
    # On a complete file --continue changes nothing.
    mtime = os.stat(dest).st_mtime_ns
    p = ok(berthd, "folder", "download", "data", "big.bin", "--dest", str(dest), "--continue")
    assert "already complete" in out(p)
    assert os.stat(dest).st_mtime_ns == mtime and sha(dest) == sha(src)

    # The kept partial file beside the destination is resumed too.
    part = tmp / ".again.bin.berth-part"
    part.write_bytes(src.read_bytes()[:1000])
    ok(berthd, "folder", "download", "data", "big.bin", "--dest", str(tmp / "again.bin"),
       "--continue")
    assert sha(tmp / "again.bin") == sha(src) and not part.exists()

    # -o still names the destination, with a warning.
    p = ok(berthd, "folder", "download", "data", "big.bin", "-o", str(tmp / "old.bin"))
    assert "deprecated" in err(p) and sha(tmp / "old.bin") == sha(src)
    fails(berthd, "folder", "download", "data", "big.bin", "-o", "a", "--dest", "b", code=2)


def test_upload_tree_prints_no_progress_off_a_terminal(berthd, tmp):
    tree = folder_with_tree(berthd, tmp, 5, 300_000)
    p = ok(berthd, "folder", "upload", "data", "-r", str(tree))
    assert err(p) == ""  # no progress lines on a pipe
    assert "5 files" in out(p)


def test_completion_bash_completes_from_the_command_table(berthd, tmp):
    script = tmp / "berth.bash"
    script.write_bytes(ok(berthd, "completion", "bash").stdout)

    def complete(line):
        cmd = (f"source {script} && complete -p berth && COMP_WORDS=({line}) && "
               "COMP_CWORD=$((${#COMP_WORDS[@]}-1)) && _berth && echo \"${COMPREPLY[*]}\"")
        p = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=30)
        assert p.returncode == 0, p.stderr
        lines = p.stdout.decode().splitlines()
        assert lines[0] == "complete -o default -F _berth berth"
        return lines[1]

    assert complete("berth ses") == "session"
    assert complete("berth session l") == "list logs"
    assert complete("berth vfolder download x --d") == "--dest"
    assert "--all" in complete("berth session list --")
    assert complete("berth comp") == "completion"
    assert complete('berth completion ""') == "bash zsh"
    assert complete('berth session list -o ""') == "table json"
    fails(berthd, "completion", "fish", code=2)


def test_aliases_and_version(berthd):
    assert out(ok(berthd, "--version")).startswith("berth ")
    ok(berthd, "vfolder", "create", "x")
    assert "x" in out(ok(berthd, "vfolder", "list"))
    for group in (["session", "rm"], ["user", "rm"]):
        assert "Usage:" in out(ok(berthd, *group, "--help"))


def test_passwd_changes_the_password(berthd):
    """`berth passwd` (PATCH /me): the old password is checked, an empty new
    one is a usage error, and afterwards only the new password signs in."""
    make_user(berthd, "dave", "old-password")
    restore = hide_admin_token(berthd)
    try:
        ok(berthd, "login", "--user", "dave", input=b"old-password\n", token=None)
        p = fails(berthd, "passwd", input=b"wrong-password\nnew-password\n", token=None)
        assert err(p).startswith("error: ")
        fails(berthd, "passwd", input=b"old-password\n\n", token=None, code=2)
        ok(berthd, "passwd", input=b"old-password\nnew-password\n", token=None)
        assert out(ok(berthd, "whoami", token=None)) == "dave (user)\n"
        fails(berthd, "login", "--user", "dave", input=b"old-password\n", token=None)
        ok(berthd, "login", "--user", "dave", input=b"new-password\n", token=None)
    finally:
        restore()
