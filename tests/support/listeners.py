"""The TCP addresses a process and its children listen on, as the kernel reports them."""

import psutil


def listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket of process `pid` and its descendants."""
    root = psutil.Process(pid)
    return {
        (c.laddr.ip, c.laddr.port)
        for p in (root, *root.children(recursive=True))
        for c in p.net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN
    }
