"""How many CPUs a build keeps busy: affinity, and the CPU quota of the control group it runs in."""

from __future__ import annotations

import os

import pytest

from xxgk import cores, workers


def _hierarchy(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="ascii")


@pytest.mark.parametrize(
    ("proc", "files", "cpus"),
    [
        # cgroup v2 inside a container: its own group is the root of what it sees
        ("0::/\n", {"cpu.max": "200000 100000\n"}, 2),
        ("0::/\n", {"cpu.max": "max 100000\n"}, None),
        ("0::/\n", {"cpu.max": "150000 100000\n"}, 2),  # a CPU and a half still runs two workers
        ("0::/\n", {"cpu.max": "50000 100000\n"}, 1),
        ("0::/\n", {}, None),  # the root group has no cpu.max
        # a limit on a group above this one holds too
        (
            "0::/kubepods/pod1/box\n",
            {"kubepods/cpu.max": "400000 100000\n", "kubepods/pod1/box/cpu.max": "max 100000\n"},
            4,
        ),
        (
            "0::/kubepods/pod1/box\n",
            {"kubepods/cpu.max": "400000 100000\n", "kubepods/pod1/box/cpu.max": "100000 100000\n"},
            1,
        ),
        # cgroup v1: the cpu controller's hierarchy; in docker the mount is the container's own group
        (
            "4:cpu,cpuacct:/docker/0123abcd\n3:memory:/docker/0123abcd\n",
            {"cpu,cpuacct/cpu.cfs_quota_us": "300000\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"},
            3,
        ),
        (
            "4:cpu,cpuacct:/\n",
            {"cpu,cpuacct/cpu.cfs_quota_us": "-1\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"},
            None,
        ),
        ("2:cpu:/build\n", {"cpu/build/cpu.cfs_quota_us": "100000\n", "cpu/build/cpu.cfs_period_us": "100000\n"}, 1),
        # garbled or odd entries are no quota, never an error
        ("0::/\n", {"cpu.max": "lots\n"}, None),
        ("0::/\n", {"cpu.max": "0 100000\n"}, None),
        ("0::/\n", {"cpu.max": "100000 0\n"}, None),
        ("0::/../../etc\n", {"cpu.max": "100000 100000\n"}, 1),  # only the mount itself is looked at
        ("garbage without colons\n", {"cpu.max": "100000 100000\n"}, None),
        ("", {"cpu.max": "100000 100000\n"}, None),
    ],
)
def test_the_tightest_cpu_quota_of_the_control_groups(tmp_path, proc, files, cpus):
    (tmp_path / "cgroup").write_text(proc, encoding="utf-8")
    _hierarchy(tmp_path / "fs", files)
    assert cores.quota_cpus(tmp_path / "cgroup", tmp_path / "fs") == cpus


def test_no_cgroup_file_is_no_quota(tmp_path):
    assert cores.quota_cpus(tmp_path / "missing", tmp_path) is None


def test_usable_cpus_are_the_affinity_capped_by_the_quota(monkeypatch):
    affinity = len(os.sched_getaffinity(0))
    monkeypatch.setattr(cores, "quota_cpus", lambda *_: None)
    assert cores.usable() == affinity
    monkeypatch.setattr(cores, "quota_cpus", lambda *_: 1)
    assert cores.usable() == 1
    monkeypatch.setattr(cores, "quota_cpus", lambda *_: affinity + 8)
    assert cores.usable() == affinity


def _sizes(_: None, chunk: list[int]) -> list[int]:
    return [len(chunk)]


def test_a_build_limited_to_one_cpu_runs_its_work_in_process(monkeypatch):
    monkeypatch.setattr(cores, "quota_cpus", lambda *_: 1)
    with workers.started(_sizes, None, list(range(100)), parallel_from=0, size=10) as results:
        assert results() == [100]  # one call over every item: no worker was started
