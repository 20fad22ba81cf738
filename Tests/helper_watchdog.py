"""Shared by the test helpers (moto_launcher.py, fault_proxy.py): exit when the test process is gone, or after a time
limit, so a crashed `swift test` never leaves a helper running."""

import os
import sys
import threading
import time


def watch(parent_pid=None, max_seconds=None, name="helper"):
    """Starts a daemon thread that ends this process when `parent_pid` no longer exists or `max_seconds` pass."""
    direct_parent = bool(parent_pid) and os.getppid() == parent_pid
    deadline = time.time() + max_seconds if max_seconds else None

    def parent_alive():
        if not parent_pid:
            return True
        if direct_parent:  # reparenting happens at exit, even while the parent is an unreaped zombie
            return os.getppid() == parent_pid
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True

    def loop():
        while parent_alive():
            if deadline is not None and time.time() >= deadline:
                print(f"{name}: time limit of {max_seconds:g}s reached, exiting", file=sys.stderr, flush=True)
                break
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=loop, daemon=True, name="watchdog").start()
