"""Start a real `python -m llama_cpp.server` with the packaged SmolLM2 GGUF on 127.0.0.1, for tests.

Use the session fixture: `from tests.llama_server import llama_server_url  # noqa: F401`, then take
`llama_server_url` (the ".../v1" base URL) as a test argument.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 never goes via a proxy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    """One llama_cpp.server subprocess; `start()` returns once /v1/models answers."""

    def __init__(self, gguf: Path, n_ctx: int = 2048, startup_timeout: float = 180.0) -> None:
        self.gguf, self.n_ctx, self.startup_timeout = gguf, n_ctx, startup_timeout
        self.port = 0
        self.url = ""
        self.proc: subprocess.Popen[bytes] | None = None
        fd, name = tempfile.mkstemp(prefix="llama_server_", suffix=".log")
        os.close(fd)
        self.log_path = Path(name)

    def log_tail(self, chars: int = 2000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def start(self) -> str:
        self.port = free_port()
        # `python -m llama_cpp.server`, with the model loaded as the embedded backend loads it (without
        # the AMX-repacked weight buffers that crash llama-cpp-python 0.3.36 on AMX CPUs)
        cmd = [
            sys.executable,
            "-c",
            "import runpy, sys\n"
            "from synthpipe.backends.embedded import plain_weight_buffers\n"
            "sys.argv[0] = 'llama_cpp.server'\n"
            "with plain_weight_buffers():\n"
            "    runpy.run_module('llama_cpp.server', run_name='__main__', alter_sys=True)\n",
            "--model",
            str(self.gguf),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
        ]
        with self.log_path.open("wb") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}/v1"
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                message = f"llama_cpp.server exited with {self.proc.returncode}:\n{self.log_tail()}"
                self.stop()
                raise RuntimeError(message)
            try:
                with _LOCAL.open(self.url + "/models", timeout=2) as resp:
                    if resp.status == 200 and json.load(resp).get("data"):
                        return self.url
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
            time.sleep(0.25)
        message = f"llama_cpp.server did not answer within {self.startup_timeout:.0f}s:\n{self.log_tail()}"
        self.stop()
        raise RuntimeError(message)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.log_path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def llama_server_url() -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llama_cpp.server") is None:
        pytest.skip("needs llama-cpp-python's server: pip install 'synthpipe[server]'")
    from synthpipe.backends.embedded import find_gguf
    from synthpipe.core.errors import ModelFileMissing

    try:
        gguf = find_gguf()
    except ModelFileMissing as err:
        pytest.skip(str(err))
    server = LlamaServer(gguf)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()
