"""How many CPUs a build may keep busy: the ones the system lets this process run on (its affinity, as `taskset`
sets it), fewer when the control group it runs in has a CPU quota (a container's `docker run --cpus`, a
Kubernetes CPU limit, a systemd CPUQuota). Inside a container `os.cpu_count()` counts the host's CPUs: a runner
limited to 2 of 64 would otherwise fork 64 workers, each with a copy of what it touches of the build's memory,
to share the time of 2."""

from __future__ import annotations

import math
import os
from pathlib import Path, PurePosixPath

PROC_CGROUP = Path("/proc/self/cgroup")
CGROUP_ROOT = Path("/sys/fs/cgroup")


def usable() -> int:
    """The number of worker processes worth running at once (at least 1)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # no affinity on this system
        cpus = os.cpu_count() or 1
    quota = quota_cpus(PROC_CGROUP, CGROUP_ROOT)
    return max(1, min(cpus, quota) if quota is not None else cpus)


def quota_cpus(proc_cgroup: Path, root: Path) -> int | None:
    """The CPUs the tightest CPU quota of this process's control groups allows (rounded up), as proc_cgroup (the
    /proc/self/cgroup file) places it under the cgroup file system at root; None when there is none or it cannot
    be read."""
    try:
        lines = proc_cgroup.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    found = []
    for line in lines:
        fields = line.split(":", 2)  # hierarchy ID, controllers, the group's path
        if len(fields) != 3:
            continue
        _, controllers, path = fields
        if controllers == "":  # cgroup v2: one hierarchy, the quota in cpu.max
            found += [_v2_cpus(folder / "cpu.max") for folder in _folders(root, path)]
        elif "cpu" in controllers.split(","):  # cgroup v1: the cpu controller's own hierarchy
            mount = root / controllers if (root / controllers).is_dir() else root / "cpu"
            found += [_v1_cpus(folder) for folder in _folders(mount, path)]
    quotas = [cpus for cpus in found if cpus is not None]
    return min(quotas) if quotas else None


def _folders(mount: Path, path: str) -> list[Path]:
    """The folders of a control group and of each group above it, under the hierarchy mounted at mount. Inside a
    container the mount is often the container's own group while the path still names it from the host's root:
    then only the mount itself is there, and it is the group that holds the quota."""
    parts = PurePosixPath(path).parts[1:] if path.startswith("/") else ()
    if any(part in ("", ".", "..") for part in parts):
        return [mount]
    return [mount.joinpath(*parts[:depth]) for depth in range(len(parts), -1, -1)]


def _v2_cpus(cpu_max: Path) -> int | None:
    """The CPUs a cgroup v2 cpu.max file ("QUOTA PERIOD", or "max PERIOD" for none) allows."""
    try:
        quota, period = cpu_max.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return _cpus(quota, period)


def _v1_cpus(folder: Path) -> int | None:
    """The CPUs a cgroup v1 group's cpu.cfs_quota_us (-1 for none) and cpu.cfs_period_us allow."""
    try:
        quota = (folder / "cpu.cfs_quota_us").read_text(encoding="ascii").strip()
        period = (folder / "cpu.cfs_period_us").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return _cpus(quota, period)


def _cpus(quota: str, period: str) -> int | None:
    """quota / period CPUs rounded up (half a CPU still runs one worker); None for no quota or a garbled one."""
    try:
        quota_us, period_us = int(quota), int(period)
    except ValueError:  # "max": no quota
        return None
    if quota_us <= 0 or period_us <= 0:  # -1: no quota (v1)
        return None
    return max(1, math.ceil(quota_us / period_us))
