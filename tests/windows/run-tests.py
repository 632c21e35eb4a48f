#!/usr/bin/env python3
# run-tests.py -- build conpty-proxy.exe with mingw-w64 and test it under Wine.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
#
# This program is free software: you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation, either version 3 of the License, or
# (at your option) any later version.
#
# This program is distributed in the hope that it will be useful,
# but WITHOUT ANY WARRANTY; without even the implied warranty of
# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
# GNU General Public License for more details.
#
# You should have received a copy of the GNU General Public License
# along with this program.  If not, see <https://www.gnu.org/licenses/>.

"""Build and test the Windows proxy on Linux.

Usage: run-tests.py [--build-dir DIR] [--exe PROXY_EXE] [-k SUBSTRING]

Cross-compiles conpty-proxy.exe (warnings are errors) and three small helpers,
checks the exe imports only system DLLs, then runs each test against the real
exe under Wine in a private, temporary WINEPREFIX with one persistent
wineserver.  The shell is Wine's cmd.exe, reached through the proxy's
test-only --wine-shim (doc/windows-proxy.md).  Ends with "N passed, N failed"
and exits non-zero when anything failed.

What Wine 8 cannot show (see spec wine-testing.md): a real resize (it
answers E_NOTIMPL), Ctrl-C, and Windows' exact escape sequences, so output is
matched as text, never as exact bytes.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TRIPLET = "x86_64-w64-mingw32"
SYSTEM_DLLS = {"kernel32.dll", "msvcrt.dll", "ucrtbase.dll", "advapi32.dll",
               "user32.dll", "ntdll.dll"}
E_NOTIMPL = 0x80004001
E_INVALIDARG = 0x80070057
WAIT = 30.0  # seconds: generous, Wine's first start of a program is slow
HELPERS = ("argv-dump", "job-run", "show-args")  # small test programs

results = {"passed": 0, "failed": 0}


def log(msg):
    print(msg, flush=True)


def check(name, ok, detail=""):
    """Record one assertion."""
    if ok:
        results["passed"] += 1
        log(f"  ok   {name}")
    else:
        results["failed"] += 1
        log(f"  FAIL {name}" + (f": {detail}" if detail else ""))
    return ok


def winpath(path):
    """Unix path -> the Z: path Wine maps it to."""
    return "Z:" + str(path).replace("/", "\\")


def frame_data(data):
    """Keystrokes for the proxy's stdin: 0xFF is doubled (protocol doc)."""
    return data.replace(b"\xff", b"\xff\xff")


def frame_resize(cols, rows):
    return bytes([0xFF, ord("R"), 4, cols >> 8, cols & 255,
                  rows >> 8, rows & 255])


class OutputDecoder:
    """Splits the proxy's stdout into console output and status lines
    (protocol doc section 3): 0xFF 0xFF is one 0xFF, 0xFF 'S' LEN TEXT a
    status line; a frame may be split across reads."""

    def __init__(self):
        self.pending = b""

    def feed(self, chunk):
        buf, self.pending = self.pending + chunk, b""
        data, lines, i = bytearray(), [], 0
        while True:
            j = buf.find(b"\xff", i)
            if j < 0:
                data += buf[i:]
                break
            data += buf[i:j]
            if j + 1 < len(buf) and buf[j + 1] == 0xFF:
                data.append(0xFF)
                i = j + 2
                continue
            if j + 3 > len(buf) or j + 3 + buf[j + 2] > len(buf):
                self.pending = buf[j:]
                break
            kind, n = buf[j + 1], buf[j + 2]
            text = buf[j + 3:j + 3 + n].decode("utf-8", "replace")
            lines.append(text if kind == ord("S")
                         else f"unknown frame 0x{kind:02X} {text!r}")
            i = j + 3 + n
        return bytes(data), lines


class Proxy:
    """A conpty-proxy.exe running under Wine, with its three pipes.  OUT
    collects the console output and STATUS the status lines (one per line)
    that the proxy sends in band on stdout; STDERR should stay empty."""

    def __init__(self, env, exe, args, extra_env=None):
        penv = dict(env)
        penv.update(extra_env or {})
        self.proc = subprocess.Popen(
            [env["WINE"], str(exe)] + args, env=penv,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True)
        self.out = bytearray()
        self.status = bytearray()
        self.stderr = bytearray()
        self.decoder = OutputDecoder()
        self.cond = threading.Condition()
        self.readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout,
                                                      self._stdout),
                             daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr,
                                                      self.stderr.extend),
                             daemon=True)]
        for t in self.readers:
            t.start()

    def _stdout(self, chunk):
        data, lines = self.decoder.feed(chunk)
        self.out.extend(data)
        for line in lines:
            self.status.extend(line.encode("utf-8") + b"\n")

    def _read(self, pipe, take):
        while True:
            chunk = os.read(pipe.fileno(), 65536)
            with self.cond:
                if not chunk:
                    self.cond.notify_all()
                    return
                take(chunk)
                self.cond.notify_all()

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def type(self, text):
        self.send(frame_data(text.encode("utf-8")))

    def wait_for(self, pred, timeout=WAIT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not pred():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return True

    def wait_out(self, needle, timeout=WAIT):
        needle = needle.encode("utf-8") if isinstance(needle, str) else needle
        return self.wait_for(lambda: needle in self.out, timeout)

    def wait_status(self, regex, timeout=WAIT):
        found = []

        def pred():
            m = re.search(regex, self.status.decode("utf-8", "replace"), re.M)
            if m:
                found.append(m)
            return bool(m)
        self.wait_for(pred, timeout)
        return found[0] if found else None

    def ready(self):
        return self.wait_status(r"^ready pid=(\d+)")

    def prompt(self):
        """Wait for cmd.exe's prompt (its path ends in '>')."""
        return self.wait_out(">")

    def close_stdin(self):
        self.proc.stdin.close()

    def wait(self, timeout=WAIT):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for t in self.readers:
            t.join(5)

    def text(self):
        return self.out.decode("utf-8", "replace")


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def run_wine(env, cmd, timeout=300):
    """Run a Wine tool whose background processes (wineserver, services.exe)
    outlive it: their output goes to a file, not a pipe we would wait on."""
    with tempfile.TemporaryFile() as out:
        rc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT, timeout=timeout).returncode
        out.seek(0)
        return rc, out.read().decode("utf-8", "replace")


# ------------------------------------------------------------------- build

def build(build_dir, prebuilt=None):
    """Cross-build the proxy (and the argv helper); returns (exe, helper).
    With PREBUILT (an exe built elsewhere, e.g. the MSVC-ABI build of
    tests/msvc), only the helper is built."""
    log("build")
    if prebuilt:
        return (prebuilt if check(f"prebuilt proxy {prebuilt} exists",
                                  prebuilt.is_file()) else None,
                build_helper(build_dir))
    proxy_build = build_dir / "proxy"
    conf = run(["cmake", "-S", str(ROOT / "conpty-proxy"), "-B",
                str(proxy_build), "-DCMAKE_BUILD_TYPE=Release",
                "-DCMAKE_C_FLAGS=-Werror",
                f"-DCMAKE_TOOLCHAIN_FILE={ROOT / 'cmake/mingw-w64-x86_64.cmake'}"])
    ok = check("cmake configures with the mingw-w64 toolchain file",
               conf.returncode == 0, conf.stdout[-2000:])
    if not ok:
        return None, None
    make = run(["cmake", "--build", str(proxy_build), "--clean-first",
                "--", "-j2"])
    check("conpty-proxy builds without warnings (-Werror, -Werror=vla)",
          make.returncode == 0 and "warning" not in make.stdout,
          make.stdout[-3000:])
    exe = proxy_build / "conpty-proxy.exe"
    return (exe if exe.exists() else None), build_helper(build_dir)


def build_helper(build_dir):
    """Build the small test programs; return the argv-dump one."""
    for name in HELPERS:
        cc = run([f"{TRIPLET}-gcc", "-std=c11", "-Wall", "-Wextra", "-Werror",
                  "-municode", "-o", str(build_dir / f"{name}.exe"),
                  str(HERE / f"{name}.c")])
        check(f"{name} helper builds", cc.returncode == 0, cc.stdout)
    return build_dir / "argv-dump.exe"


def test_imports(exe):
    dump = run([f"{TRIPLET}-objdump", "-p", str(exe)])
    dlls = {m.lower() for m in re.findall(r"DLL Name: (\S+)", dump.stdout)}
    extra = {d for d in dlls if d not in SYSTEM_DLLS
             and not d.startswith("api-ms-win-")}
    check("exe imports only system DLLs", dlls and not extra,
          f"imports {sorted(dlls)}")


# ------------------------------------------------------------------- wine

def wine_setup(prefix):
    env = dict(os.environ)
    env.update(WINEPREFIX=str(prefix), WINEDEBUG="-all",
               WINEDLLOVERRIDES="mscoree,mshtml=", DISPLAY="")
    env["WINE"] = shutil.which("wine64") or shutil.which("wine")
    log(f"wine prefix {prefix}")
    prefix.mkdir(parents=True, exist_ok=True)
    run_wine(env, ["wineserver", "-p"])  # one server for the whole run
    rc, out = run_wine(env, [env["WINE"], "wineboot", "-i"])
    check("wine prefix created", rc == 0, out[-1000:])
    # Windows 10, which ConPTY needs (Wine 8 says Windows 7 by default).
    run_wine(env, [env["WINE"], "reg", "add", r"HKCU\Software\Wine",
                   "/v", "Version", "/d", "win10", "/f"])
    # No winedbg on a crash: a crashing proxy must fail fast, not hang.
    run_wine(env, [env["WINE"], "reg", "add",
                   r"HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug",
                   "/v", "Debugger", "/t", "REG_SZ", "/d", "", "/f"])
    return env


def wine_teardown(env):
    run_wine(env, [env["WINE"], "wineboot", "--end-session"], timeout=60)
    run_wine(env, ["wineserver", "-k"], timeout=60)
    run_wine(env, ["wineserver", "-w"], timeout=60)


def wine_processes(prefix, names):
    """Live Linux processes of PREFIX whose program is one of NAMES."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if f"WINEPREFIX={prefix}".encode() not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode("utf-8", "replace")
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[-1].startswith("Z"):
                    continue
        except OSError:
            continue
        prog = re.split(r"[\\/]", argv0)[-1].lower()
        if prog in names:
            found.append(f"{pid}:{prog}")
    return found


def no_leftovers(prefix, timeout=WAIT):
    names = {"ping.exe", "cmd.exe", "conhost.exe", "conpty-proxy.exe", "ping",
             "cmd"}
    deadline = time.monotonic() + timeout
    while True:
        left = wine_processes(prefix, names)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


# ------------------------------------------------------------------ tests

class Ctx:
    def __init__(self, env, exe, helper, tmp, prefix):
        self.env, self.exe, self.helper = env, exe, helper
        self.tmp, self.prefix = tmp, prefix

    def proxy(self, args, extra_env=None):
        return Proxy(self.env, self.exe, args, extra_env)

    def shell(self, *cmd, cols=80, rows=25, extra=(), extra_env=None):
        args = ["--cols", str(cols), "--rows", str(rows), "--wine-shim",
                *extra, "--", *(cmd or ["cmd.exe"])]
        return self.proxy(args, extra_env)

    def finished(self, args, timeout=WAIT, extra_env=None):
        """Run a proxy that ends by itself (stdin stays open meanwhile)."""
        p = self.proxy(args, extra_env)
        rc = p.wait(timeout)
        p.stop()
        return rc, p.status.decode("utf-8", "replace")


def test_usage(c):
    for args, what in [([], "no command"),
                       (["--bogus", "--", "cmd"], "unknown option"),
                       (["--cols", "0", "--", "cmd"], "zero columns"),
                       (["--rows", "32768", "--", "cmd"], "rows over 32767"),
                       (["--cols", "12x", "--", "cmd"], "non-numeric size"),
                       (["--cmdline", "cmd", "--", "cmd"], "both forms"),
                       (["--hex", "--", "zz"], "bad hex")]:
        rc, err = c.finished(args)
        check(f"usage error ({what}) exits 64 with one error line",
              rc == 64 and err.count("\n") == 1
              and err.startswith("error: "), f"rc={rc} {err!r}")


def test_no_conpty(c):
    rc, err = c.finished(["--", "cmd.exe"],
                         extra_env={"CONPTY_PROXY_TEST_NO_CONPTY": "1"})
    check("without ConPTY: exit 69 and a one-line message",
          rc == 69 and "ConPTY is not available" in err
          and err.count("\n") == 1, f"rc={rc} {err!r}")


def test_not_found(c):
    rc, err = c.finished(["--", "no-such-shell.exe"])
    check("missing shell: exit 127, 'shell not found'",
          rc == 127 and "shell not found: no-such-shell.exe" in err,
          f"rc={rc} {err!r}")
    rc, err = c.finished(["--wine-shim", "--", "no-such-shell.exe"])
    check("through the shim too: exit 127, 'shell not found'",
          rc == 127 and "error: shell not found: no-such-shell.exe" in err,
          f"rc={rc} {err!r}")


def test_cannot_run(c):
    rc, err = c.finished(["--cwd", winpath(c.tmp / "no-such-dir"),
                          "--", "cmd.exe"])
    check("bad --cwd: exit 126, 'cannot start shell'",
          rc == 126 and "cannot start shell" in err, f"rc={rc} {err!r}")


def test_echo(c):
    p = c.shell()
    try:
        check("ready line names the shell pid", p.ready() is not None,
              p.status.decode())
        check("cmd.exe prompt arrives", p.prompt(), p.text()[-300:])
        p.type("set /a 1234+4321\r")
        check("typed command runs and its output comes back",
              p.wait_out("5555"), p.text()[-300:])
        p.type("exit 7\r")
        check("typed 'exit 7' ends the proxy with 7", p.wait() == 7)
        p.stop()
        check("status goes in band: stderr stays empty", not p.stderr,
              p.stderr.decode("utf-8", "replace"))
    finally:
        p.stop()


def test_utf8(c):
    p = c.shell()
    try:
        p.prompt()
        p.type("set U=é日本\r")
        p.type("echo [%U%]\r")
        check("typed UTF-8 (é, 日本) is echoed back as UTF-8",
              p.wait_out("[é日本]"), p.text()[-300:])
    finally:
        p.stop()


def hexa(s):
    return s.encode("utf-8").hex()


def test_environment(c):
    p = c.shell(extra=["--env", "ADDED=plus", "--env", "TERM",
                       "--env", "TWICE=1", "--env", "TWICE=2",
                       "--env", "GONE=1", "--env", "GONE"],
                extra_env={"INSIDE_EMACS": "vterm,test",
                           "EMACS_VTERM_PATH": "Z:\\vterm\\",
                           "TERM": "xterm-256color",
                           "CONPTY_PROXY_WINE_SHIM": "1"})
    try:
        p.prompt()
        p.type("echo [%INSIDE_EMACS%] [%EMACS_VTERM_PATH%]\r")
        check("the proxy's environment reaches the shell",
              p.wait_out("[vterm,test] [Z:\\vterm\\]"), p.text()[-300:])
        p.type("echo [%ADDED%] [%TERM%] [%TWICE%] [%GONE%]\r")
        check("--env sets and unsets variables; the last edit wins",
              p.wait_out("[plus] [%TERM%] [2] [%GONE%]"), p.text()[-300:])
        p.type("echo [%CONPTY_PROXY_WINE_SHIM%]\r")
        check("the shim switch is not passed on to the shell",
              p.wait_out("[%CONPTY_PROXY_WINE_SHIM%]"), p.text()[-300:])
    finally:
        p.stop()
    p = c.proxy(["--hex", "--env", hexa("HEXVAR=日本"), "--wine-shim", "--",
                 hexa("cmd.exe"), hexa("/k"), hexa("echo [%HEXVAR%]")])
    try:
        check("with --hex, --env and the command words are hex UTF-8",
              p.wait_out("[日本]"), p.text()[-300:] + p.status.decode())
    finally:
        p.stop()


def test_cwd(c):
    d = c.tmp / "dir é日本"
    d.mkdir(exist_ok=True)
    p = c.shell(extra=["--cwd", winpath(d)])
    try:
        check("--cwd (non-ASCII) is the shell's directory",
              p.wait_out("dir é日本>"), p.text()[-300:])
    finally:
        p.stop()
    for attempt in (1, 2):
        p = c.proxy(["--hex", "--cwd", hexa(winpath(d)), "--wine-shim", "--",
                     hexa("cmd.exe")])
        try:
            ok = p.wait_out("dir é日本>")
            # Wine's CreateProcess now and then fails with
            # ERROR_INTERNAL_ERROR under load (seen once in CI); that is
            # Wine's, not the proxy's: try once more, and say so.
            if not ok and attempt == 1 and "Win32 error 1359" in p.text():
                log("  (Wine: CreateProcess failed with error 1359; retrying once)")
                continue
            check("--cwd given in hex works too", ok,
                  p.text()[-300:] + p.status.decode())
        finally:
            p.stop()
        break


def test_quoting(c):
    args = ["plain", "two words", "", 'say "hi"', "back\\slash\\",
            "C:\\my dir\\", 'a\\"b', "tab\there", "é日本", "\\\\server\\x y"]
    out = c.tmp / "argv.bin"
    rc, err = c.finished(["--", str(c.helper), winpath(out), *args])
    got = out.read_bytes().split(b"\0")[:-1] if out.exists() else None
    want = [a.encode("utf-8") for a in args]
    check("argv words survive the command line quoting (libuv rules)",
          rc == 0 and got == want, f"rc={rc} got={got} {err!r}")
    out.unlink(missing_ok=True)
    line = f'"{c.helper}" "{winpath(out)}" "x y" z'
    rc, err = c.finished(["--cmdline", line])
    got = out.read_bytes().split(b"\0")[:-1] if out.exists() else None
    check("--cmdline is passed through unchanged",
          rc == 0 and got == [b"x y", b"z"], f"rc={rc} got={got} {err!r}")


def test_all_bytes(c):
    log_file = c.tmp / "input.bin"
    p = c.proxy(["--input-log", winpath(log_file), "--wine-shim", "--",
                 "cmd.exe"])
    try:
        p.ready()
        data = bytes(range(256)) * 3
        stream = (frame_data(data[:300]) + frame_resize(100, 30)
                  + bytes([0xFF, ord("Z"), 2, 0xFF, 0x00])
                  + frame_data(data[300:]))
        # Odd-sized writes with pauses, so frames are split across reads.
        for i in range(0, len(stream), 37):
            p.send(stream[i:i + 37])
            time.sleep(0.01)
        m = p.wait_status(r"resize cols=100 rows=30 hr=0x([0-9A-F]{8})")
        check("resize inside a byte stream is reported", m is not None,
              p.status.decode())
        check("unknown control frame skipped with a warning",
              p.wait_status(r"warning: ignored control frame type=0x5A len=2")
              is not None, p.status.decode())
        p.close_stdin()
        rc = p.wait()
        check("closing stdin is a hangup: exit 129", rc == 129, f"rc={rc}")
        got = log_file.read_bytes() if log_file.exists() else b""
        check("all 256 byte values reach the console input unchanged",
              got == data, f"{len(got)} bytes, first diff at "
              f"{next((i for i, (a, b) in enumerate(zip(got, data)) if a != b), min(len(got), len(data)))}")
    finally:
        p.stop()


def test_resize(c):
    p = c.shell()
    try:
        p.prompt()
        p.send(frame_data(b"echo before\r") + frame_resize(100, 30)
               + frame_data(b"set /a 600+66\r"))
        m = p.wait_status(r"resize cols=(\d+) rows=(\d+) hr=0x([0-9A-F]{8})")
        check("resize frame reaches ResizePseudoConsole with its size",
              m is not None and m.group(1, 2) == ("100", "30"),
              p.status.decode())
        check("its HRESULT is reported (Wine: E_NOTIMPL)",
              m is not None and int(m.group(3), 16) == E_NOTIMPL,
              p.status.decode())
        check("input after the resize still works", p.wait_out("666"),
              p.text()[-300:])
        p.send(frame_resize(0, 30) + frame_resize(40000, 10))
        m1 = p.wait_status(r"resize cols=0 rows=30 hr=0x([0-9A-F]{8})")
        m2 = p.wait_status(r"resize cols=40000 rows=10 hr=0x([0-9A-F]{8})")
        check("out-of-range sizes are refused with E_INVALIDARG",
              m1 and m2 and int(m1.group(1), 16) == E_INVALIDARG
              and int(m2.group(1), 16) == E_INVALIDARG, p.status.decode())
    finally:
        p.stop()


def test_exit_code(c):
    p = c.shell("cmd.exe", "/c", "echo trailing-marker& exit 42")
    try:
        rc = p.wait()
        p.wait_for(lambda: False, 0.1)
        check("'cmd /c exit 42' makes the proxy exit 42", rc == 42,
              f"rc={rc} {p.status.decode()!r}")
        check("output written just before the exit is delivered",
              "trailing-marker" in p.text(), p.text()[-300:])
    finally:
        p.stop()


def ping(c):
    """A shell running two pings: one in its console, one started with
    'start' (a new console), which only the job can stop: under Wine the
    first one dies with the console anyway, the second one does not."""
    p = c.shell("cmd.exe", "/c", 'echo pinging& start "" ping -n 100 '
                "127.0.0.1& ping -n 100 127.0.0.1 >NUL")
    ok = p.wait_out("pinging")
    deadline = time.monotonic() + WAIT
    while ok and len(wine_processes(c.prefix, {"ping.exe", "ping"})) < 2:
        if time.monotonic() > deadline:
            ok = False
        time.sleep(0.1)
    return p, ok


def test_kill(c):
    p, ok = ping(c)
    try:
        check("two pings run under the proxy", ok, p.text()[-300:])
        os.kill(p.proc.pid, signal.SIGKILL)  # what TerminateProcess does
        p.proc.wait()
        left = no_leftovers(c.prefix)
        check("killing the proxy leaves no shell, ping or console host",
              not left, f"still running: {left}")
    finally:
        p.stop()


def test_hangup(c):
    p, ok = ping(c)
    try:
        check("two pings run under the proxy", ok, p.text()[-300:])
        p.close_stdin()
        rc = p.wait()
        check("stdin closed during ping: exit 129", rc == 129,
              f"rc={rc} {p.status.decode()!r}")
        left = no_leftovers(c.prefix)
        check("after a hangup no shell, ping or console host is left",
              not left, f"still running: {left}")
    finally:
        p.stop()


def test_kill_during_start(c):
    """The proxy killed while it starts the shell leaves no shell: the shell
    is created inside the job, never outside it even for a moment.  (Wine's
    own console host was once seen to linger when the kill fell inside
    CreatePseudoConsole; that is Wine's, so only shells are counted.)"""
    for i in range(12):
        p = c.shell()
        try:
            time.sleep(0.03 * i)
            os.kill(p.proc.pid, signal.SIGKILL)
            p.proc.wait()
        finally:
            p.stop()
    left = [x for x in no_leftovers(c.prefix)
            if not x.endswith(("conhost.exe", "conhost"))]
    check("12 proxies killed 0-330 ms after their start leave no shell",
          not left, f"still running: {left}")
    for x in wine_processes(c.prefix, {"conhost.exe", "conhost"}):
        os.kill(int(x.split(":")[0]), signal.SIGKILL)


def test_release_on_exit(c):
    """A shell that ends by itself leaves what it started in a window of
    its own running (the job stops killing on close); kill and hangup
    still kill everything (test_kill, test_hangup)."""
    p = c.shell("cmd.exe", "/c", 'start "" ping -n 100 127.0.0.1& exit 3')
    try:
        rc = p.wait()
        check("the shell exits by itself: the proxy exits with its code 3",
              rc == 3, f"rc={rc} {p.status.decode()!r}")
        time.sleep(2)
        left = wine_processes(c.prefix, {"ping.exe", "ping"})
        check("a program it started in its own window outlives the terminal",
              len(left) == 1, f"running: {left}")
    finally:
        p.stop()
        for proc in wine_processes(c.prefix, {"ping.exe", "ping"}):
            os.kill(int(proc.split(":")[0]), signal.SIGKILL)


def test_in_job(c):
    """Emacs started inside a job (job-run.exe; Windows 8 and later, and
    Wine, nest jobs): the proxy's own job works as usual."""
    p = Proxy(c.env, c.helper.with_name("job-run.exe"),
              [winpath(c.exe), "--wine-shim", "--", "cmd.exe"])
    try:
        check("inside a job the shell starts, with no warning",
              p.prompt() and "warning" not in p.status.decode(),
              p.status.decode() + p.text()[-300:])
        p.type("exit 5\r")
        rc = p.wait()
        check("inside a job the exit code comes through", rc == 5, f"rc={rc}")
    finally:
        p.stop()


def test_job_refused(c):
    """When the system refuses the shell a job (simulated: nothing outside
    can make Windows 8+ or Wine refuse), the proxy warns, runs it anyway,
    and a hangup still ends the shell."""
    hook = {"CONPTY_PROXY_TEST_JOB_ERROR": "5"}
    p = c.shell(extra_env=hook)
    try:
        m = p.wait_status(r"^warning: the shell runs outside a job "
                          r"\(AssignProcessToJobObject: Win32 error 5\)")
        check("a refused job is a warning, not a failure", m is not None,
              p.status.decode())
        check("the shell runs anyway", p.prompt(), p.text()[-300:])
        p.type("echo [%CONPTY_PROXY_TEST_JOB_ERROR%]\r")
        check("the test switch is not passed on to the shell",
              p.wait_out("[%CONPTY_PROXY_TEST_JOB_ERROR%]"), p.text()[-300:])
        p.close_stdin()
        rc = p.wait()
        left = no_leftovers(c.prefix)
        check("without a job a hangup still ends the shell (exit 129)",
              rc == 129 and not left, f"rc={rc} left={left}")
    finally:
        p.stop()


def test_old_windows(c):
    """On a Windows build older than 10 1903 the proxy warns (Wine reports
    the version the prefix asks for; 8.1 is build 9600)."""
    key = r"HKCU\Software\Wine\AppDefaults\conpty-proxy.exe"
    run_wine(c.env, [c.env["WINE"], "reg", "add", key, "/v", "Version",
                     "/d", "win81", "/f"])
    try:
        rc, status = c.finished(["--wine-shim", "--", "cmd.exe", "/c",
                                 "exit 0"])
        check("an old Windows build gets a warning, and the shell runs",
              rc == 0 and re.search(r"^warning: Windows build 9600 is older "
                                    r"than Windows 10 1903", status, re.M),
              f"rc={rc} {status!r}")
    finally:
        run_wine(c.env, [c.env["WINE"], "reg", "delete", key, "/f"])
    rc, status = c.finished(["--wine-shim", "--", "cmd.exe", "/c", "exit 0"])
    check("a current build gets no warning", rc == 0 and "warning" not in
          status, f"rc={rc} {status!r}")


def test_long_cwd(c):
    """A directory over 260 characters (Windows' limit for a current
    directory) is given to the shell by its short name."""
    d = c.tmp
    for i in range(6):
        d = d / (f"long-directory-name-{i}-" + "x" * 30)
    d.mkdir(parents=True)
    check("the test directory is over 260 characters",
          len(winpath(d)) > 260, str(len(winpath(d))))
    p = c.shell(extra=["--cwd", winpath(d)])
    try:
        check("the shell starts there", p.prompt() and p.ready(),
              p.status.decode() + p.text()[-300:])
        p.type("echo here> long-cwd-marker.txt\r")
        ok = False
        deadline = time.monotonic() + WAIT
        while not ok and time.monotonic() < deadline:
            ok = (d / "long-cwd-marker.txt").exists()
            time.sleep(0.1)
        check("a file it writes lands in the long directory", ok,
              p.text()[-300:])
    finally:
        p.stop()


def test_program_lookup(c):
    """The shell's program is not looked up in --cwd: a cmd.exe planted
    there (show-args, which exits with its argument count, 3) does not run;
    the system's does (exit 9)."""
    d = c.tmp / "planted"
    d.mkdir(exist_ok=True)
    shutil.copy(c.helper.with_name("show-args.exe"), d / "cmd.exe")
    for extra in ([], ["--wine-shim"]):
        rc, status = c.finished(["--cwd", winpath(d), *extra, "--",
                                 "cmd.exe", "/c", "exit 9"])
        check("a cmd.exe planted in --cwd is not run"
              + (" (through the shim)" if extra else ""), rc == 9,
              f"rc={rc} {status!r}")


def test_flood(c):
    p = c.shell("cmd.exe", "/c", "for /l %i in (1,1,3000) do @echo flood %i")
    try:
        rc = p.wait(120)
        check("a shell flooding output then exiting: the proxy exits 0",
              rc == 0, f"rc={rc} {p.status.decode()!r}")
        check("the flood's last line arrives", "flood 3000" in p.text(),
              p.text()[-300:])
    finally:
        p.stop()
    p = c.shell("cmd.exe", "/c", "for /l %i in (1,1,1000000) do @echo flood %i")
    try:
        p.wait_out("flood 50")
        p.close_stdin()
        rc = p.wait(60)
        check("hangup while the shell floods: the proxy still exits (129)",
              rc == 129, f"rc={rc} {p.status.decode()!r}")
    finally:
        p.stop()


def test_emacs(c):
    """The vterm.el recipe of doc/windows-proxy.md §6, in real Emacs."""
    emacs = shutil.which("emacs")
    if not emacs:
        log("  skip (no emacs)")
        return
    env = dict(c.env, PROXY_EXE=str(c.exe), TEST_DIR=str(c.tmp))
    with tempfile.TemporaryFile() as out:
        rc = subprocess.run([emacs, "--batch", "-Q", "-l",
                             str(HERE / "proxy-emacs.el")], env=env,
                            stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT, timeout=300).returncode
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    lines = [l for l in text.splitlines() if l.startswith(("PASS ", "FAIL "))]
    for line in lines:
        name, _, detail = line[5:].partition(" | ")
        check(name, line.startswith("PASS "), detail)
    check("emacs driver ran all its checks", rc == 0 and len(lines) == 7,
          f"rc={rc} {text[-1500:]}")


def test_vterm_e2e(c):
    """vterm.el's own windows-nt code path, driven from Linux Emacs."""
    emacs = shutil.which("emacs")
    root = HERE.parent.parent
    module_dir = Path(os.environ.get("VTERM_MODULE_DIR", root))
    if not emacs or not any(module_dir.glob("vterm-module.so")):
        log("  skip (no emacs or no native vterm-module.so)")
        return
    env = dict(c.env, PROXY_EXE=str(c.exe), VTERM_DIR=str(root),
               VTERM_MODULE_DIR=str(module_dir))
    with tempfile.TemporaryFile() as out:
        rc = subprocess.run([emacs, "--batch", "-Q", "-l",
                             str(HERE / "vterm-e2e.el")], env=env,
                            stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT, timeout=400).returncode
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    lines = [l for l in text.splitlines() if l.startswith(("PASS ", "FAIL "))]
    for line in lines:
        name, _, detail = line[5:].partition(" | ")
        check("vterm.el: " + name, line.startswith("PASS "), detail[-1500:])
    check("vterm.el end-to-end driver ran all its checks",
          rc == 0 and len(lines) == 9, f"rc={rc} {text[-1500:]}")


TESTS = [test_usage, test_no_conpty, test_not_found, test_cannot_run,
         test_echo, test_utf8, test_environment, test_cwd, test_quoting,
         test_all_bytes, test_resize, test_exit_code, test_kill, test_hangup,
         test_kill_during_start, test_release_on_exit, test_in_job, test_job_refused, test_old_windows,
         test_long_cwd, test_program_lookup, test_flood, test_emacs,
         test_vterm_e2e]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", type=Path,
                    default=Path(tempfile.gettempdir()) / "build-windows-proxy")
    ap.add_argument("--exe", type=Path,
                    help="test this conpty-proxy.exe instead of building one")
    ap.add_argument("-k", dest="only", default="",
                    help="run only tests whose name contains this")
    opts = ap.parse_args()
    missing = [t for t in ("cmake", f"{TRIPLET}-gcc", f"{TRIPLET}-objdump",
                           "wineserver") if not shutil.which(t)]
    if missing or not (shutil.which("wine64") or shutil.which("wine")):
        log(f"missing tools: {missing or ['wine']}")
        log("0 passed, 1 failed")
        return 1
    opts.build_dir.mkdir(parents=True, exist_ok=True)
    exe, helper = build(opts.build_dir, opts.exe)
    if exe:
        test_imports(exe)
        tmp = Path(tempfile.mkdtemp(prefix="conpty-proxy-test-"))
        prefix = tmp / "wineprefix"
        env = wine_setup(prefix)
        try:
            ctx = Ctx(env, exe, helper, tmp, prefix)
            for test in TESTS:
                if opts.only in test.__name__:
                    log(test.__name__)
                    try:
                        test(ctx)
                    except Exception as e:  # a crash in a test is a failure
                        check(f"{test.__name__} ran", False, repr(e))
        finally:
            wine_teardown(env)
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
