#!/usr/bin/env python3
# serve.py -- a local HTTP server for the download tests.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later

"""Serve a directory over HTTP on 127.0.0.1, for tests/release.

Usage: serve.py DIRECTORY PORT-FILE [SECONDS]

Binds 127.0.0.1 on a free port, writes the port number to PORT-FILE, and
serves the files of DIRECTORY (404 for anything else).  A path starting with
/cut/ serves the rest of the path with its full Content-Length but only half
of the bytes, then closes the connection: a download broken mid-transfer.
Stops by itself after SECONDS (default 600), or on SIGTERM.
"""

import functools
import http.server
import os
import signal
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/cut/"):
            path = self.translate_path(self.path[len("/cut"):])
            if not os.path.isfile(path):
                self.send_error(404)
                return
            with open(path, "rb") as f:
                data = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()

    def list_directory(self, path):  # no listings: 404 like a release host
        self.send_error(404)
        return None

    def log_message(self, fmt, *args):
        sys.stderr.write("serve.py: " + (fmt % args) + "\n")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    directory, port_file = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) == 4 else 600.0
    handler = functools.partial(Handler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    stop = threading.Timer(seconds, server.shutdown)
    stop.daemon = True
    stop.start()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(
        target=server.shutdown, daemon=True).start())
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
