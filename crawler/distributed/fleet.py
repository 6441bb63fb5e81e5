"""``crawler fleet --redis URL``: the state of every distributed run on one Redis, read-only.

:func:`fleet_status` reads the keys the workers keep (see :mod:`crawler.distributed.scheduler`
and :mod:`crawler.distributed.ratelimit`) and returns, per run: the queue length, the entries
refused as not plain JSON, the workers (alive when their last heartbeat is at most ``timeout``
seconds old, busy/idle, pending requests, pages/s over the last ``window`` seconds), and the
sites the run fetched from with their shared budget (the current delay between two requests
and the rate it allows, the concurrency, requests in flight, pages/s, a Retry-After pause).
Rates count the requests each worker was allowed to send (the rate limit's ``recent`` log, kept
for 60 s; nothing is logged with ``DISTRIBUTED_RATE_LIMIT = False``). :func:`format_status` prints it as text.
"""

from __future__ import annotations

from typing import Any

import redis

RECENT_WINDOW = 60.0


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _runs(server, prefix: str, run: str | None) -> list[str]:
    if run:
        return [f"{prefix}:{run}"]
    bases = set()
    for pattern, suffix in ((f"{prefix}:*:workers", ":workers"), (f"{prefix}:*:requests", ":requests")):
        for key in server.scan_iter(match=pattern, count=500):
            base = _s(key)[: -len(suffix)]
            if not base.startswith((f"{prefix}:site:", f"{prefix}:state:")):
                bases.add(base)
    return sorted(bases)


def fleet_status(url: str, *, prefix: str = "crawler", run: str | None = None, window: float = 10.0,
                 timeout: float = 30.0) -> dict:
    """See the module docstring. Raises ``redis.RedisError`` when Redis cannot be read."""
    server = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
    try:
        sec, usec = server.time()
        now = sec + usec / 1e6
        window = max(0.1, min(window, RECENT_WINDOW))
        runs = [_run_status(server, base, prefix, now, window, timeout) for base in _runs(server, prefix, run)]
    finally:
        server.close()
    return {"redis": url, "time": now, "window": window, "runs": runs}


def _run_status(server, base: str, prefix: str, now: float, window: float, timeout: float) -> dict:
    beats = {_s(w): float(t) for w, t in server.zrange(f"{base}:workers", 0, -1, withscores=True)}
    states = {_s(k): _s(v) for k, v in server.hgetall(f"{base}:state").items()}
    pending_keys = {_s(k)[len(f"{base}:pending:"):]: _s(k) for k in server.scan_iter(match=f"{base}:pending:*", count=500)}
    names = sorted(set(beats) | set(pending_keys))
    per_worker = {w: 0 for w in names}
    sites = []
    for site in sorted(_s(s) for s in server.smembers(f"{base}:sites")):
        key = f"{prefix}:site:{site}"
        info = {_s(k): _s(v) for k, v in server.hgetall(key).items()}
        recent = server.zrangebyscore(f"{key}:recent", now - window, "+inf")
        for member in recent:
            worker = _s(member).split("|", 1)[0]
            if worker in per_worker or worker in beats:
                per_worker[worker] = per_worker.get(worker, 0) + 1
        delay = float(info.get("delay", 0) or 0)
        paused = float(info.get("paused_until", 0) or 0) - now
        sites.append({
            "site": site,
            "delay": round(delay, 3),
            "allowed_per_s": round(1 / delay, 2) if delay > 0 else None,
            "concurrency": int(info["concurrency"]) if "concurrency" in info else None,
            "in_flight": server.zcount(f"{key}:leases", now, "+inf"),
            "pages_per_s": round(len(recent) / window, 2),
            "granted": int(info.get("granted", 0) or 0),
            "paused_for": round(paused, 1) if paused > 0 else 0.0,
        })
    workers = []
    for w in names:
        beat = beats.get(w)
        workers.append({
            "worker": w,
            "alive": beat is not None and now - beat <= timeout,
            "state": states.get(w, "gone" if beat is None else "?"),
            "last_heartbeat_s": round(now - beat, 1) if beat is not None else None,
            "pending": server.zcard(pending_keys[w]) if w in pending_keys else 0,
            "pages_per_s": round(per_worker.get(w, 0) / window, 2),
        })
    run_info = {_s(k): _s(v) for k, v in server.hgetall(f"{base}:run").items()}
    return {
        "run": base, "run_id": run_info.get("id"), "queue": server.zcard(f"{base}:requests"),
        "refused": server.llen(f"{base}:refused"), "seed": _s(server.get(f"{base}:seed") or b"") or None,
        "workers_alive": sum(1 for w in workers if w["alive"]), "workers": workers, "sites": sites,
    }


def format_status(status: dict) -> str:
    """*status* from :func:`fleet_status` as a few lines of text."""
    lines = [f"Redis {status['redis']}  (rates over the last {status['window']:g} s)"]
    if not status["runs"]:
        lines.append("  no distributed run")
    for run in status["runs"]:
        lines.append(f"run {run['run']}  id {run['run_id'] or '-'}  queue {run['queue']}  refused {run['refused']}  "
                     f"workers alive {run['workers_alive']}/{len(run['workers'])}")
        lines.append(f"  {'worker':<24} {'alive':<5} {'state':<5} {'heartbeat':>9} {'pending':>7} {'pages/s':>7}")
        for w in run["workers"]:
            beat = f"{w['last_heartbeat_s']:.1f}s" if w["last_heartbeat_s"] is not None else "-"
            lines.append(f"  {w['worker']:<24} {'yes' if w['alive'] else 'no':<5} {w['state']:<5} {beat:>9} {w['pending']:>7} {w['pages_per_s']:>7.2f}")
        lines.append(f"  {'site':<24} {'delay':>6} {'max/s':>6} {'conc':>4} {'flight':>6} {'pages/s':>7} {'paused':>6}")
        for s in run["sites"]:
            allowed = f"{s['allowed_per_s']:.2f}" if s["allowed_per_s"] else "-"
            lines.append(f"  {s['site']:<24} {s['delay']:>6.2f} {allowed:>6} {s['concurrency'] or '-':>4} {s['in_flight']:>6} "
                         f"{s['pages_per_s']:>7.2f} {(str(s['paused_for']) + 's') if s['paused_for'] else '-':>6}")
    return "\n".join(lines)
