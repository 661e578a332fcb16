"""Consuming Redis streams reliably: the runtime of the render and feeds services.

- `service`: the one builder a service calls (`ConsumerService`), and `serve` for its process;
- `delivery`: reader and claimer per stream, acks after the handler returned, retries,
  malformed and failing events to the dead letters (`dead_letters`, also read by the CLI);
- `guard`: groups at start, the Redis watchdog, trimming (`retention`), the exit code;
- `probes`: /health, /ready, /metrics on FastStream's ASGI support; `observability`: logs
  and metrics naming the event; `stream_stats`: lag and pending per group;
- `options`, `connections`: the knobs and the Redis connections of a replica;
- `faststream_adapter`: the only module using FastStream's private names.
"""
