"""Free TCP ports for the servers Newsroom starts (a local Redis, the tests' servers), never
the same one twice in a process.

port_for finds a port nobody listens on *now*; two servers asked for in a row could be given
the same one before either binds it. Remembering what was handed out rules that out.
"""

from port_for import get_port

_handed_out: set[int] = set()


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on, not handed out before in this process."""
    while True:
        port = get_port(None)
        if port not in _handed_out:
            _handed_out.add(port)
            return port
