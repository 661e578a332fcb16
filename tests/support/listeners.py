"""The TCP addresses a process and its children listen on, as the kernel reports them."""

import psutil


def listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket of process `pid` and its descendants.

    Short-lived children (a search-index build, say) may exit while they are read: those
    hold no listening socket any more, so they are passed over.
    """
    root = psutil.Process(pid)
    found: set[tuple[str, int]] = set()
    for process in (root, *root.children(recursive=True)):
        try:
            connections = process.net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            continue
        found |= {(c.laddr.ip, c.laddr.port) for c in connections if c.status == psutil.CONN_LISTEN}
    return found
