#!/bin/sh
# docker-compose.cluster.yml's one-shot `redis-cluster` service: usage
#   create-cluster.sh HOST:PORT...   (the six nodes; the first three become the masters)
# Creates the cluster (one replica per master) when the first node is still alone; when the
# cluster exists, creates nothing and introduces each node to the first at the address it
# answers on now, so nodes whose container address changed (`docker compose down` and `up`)
# are found again. Then waits for `cluster_state:ok`; exits non-zero if it never comes.
set -eu
first=$1

ask() { # ask HOST:PORT COMMAND...: a node's answer, without CRs
    target=$1
    shift
    redis-cli -h "${target%:*}" -p "${target##*:}" "$@" | tr -d '\r'
}

field() { # field NAME: the value of NAME in the first node's CLUSTER INFO
    ask "$first" cluster info | sed -n "s/^$1://p"
}

known=$(field cluster_known_nodes)
if [ -z "$known" ]; then
    echo "$first does not answer CLUSTER INFO" >&2
    exit 1
elif [ "$known" = 1 ]; then
    redis-cli --cluster create "$@" --cluster-replicas 1 --cluster-yes
else
    echo "The cluster exists: nothing to create."
    shift
    for node in "$@"; do
        # The node's own address on this connection: a name resolves to it, and it needs no
        # resolver in the image.
        address=$(ask "$node" client info | tr ' ' '\n' | sed -n 's/^laddr=//p')
        if [ -n "$address" ]; then
            ask "$first" cluster meet "${address%:*}" "${address##*:}" >/dev/null
        else
            echo "$node does not answer: left to the cluster" >&2
        fi
    done
fi

tries=0
until [ "$(field cluster_state)" = ok ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 60 ]; then
        echo "cluster_state is not ok after 60 s" >&2
        exit 1
    fi
    sleep 1
done
echo "cluster_state:ok"
