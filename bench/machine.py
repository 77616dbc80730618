#!/usr/bin/env python3
"""machine.py: how much of the machine the benchmarks had, so that a noisy run
can be told from a slow build of taskmill. The share of CPU time the
hypervisor stole (the `steal` column of /proc/stat) hits taskmill, whose
threads wake each other, harder than a reference that spins.

  machine.py start SNAPSHOT     # before the benchmarks
  machine.py stop SNAPSHOT OUT  # after: writes {"pools": {}, "machine": {...}}
"""
import json
import os
import sys
import time


def cpu_ticks():
    with open("/proc/stat") as f:
        fields = f.readline().split()
    assert fields[0] == "cpu", "unexpected /proc/stat"
    ticks = [int(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal
    return sum(ticks), ticks[7]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "start":
        total, steal = cpu_ticks()
        with open(sys.argv[2], "w") as f:
            json.dump({"time": time.time(), "total": total, "steal": steal, "load": os.getloadavg()[0]}, f)
        return
    if len(sys.argv) != 4 or sys.argv[1] != "stop":
        sys.exit(__doc__)
    with open(sys.argv[2]) as f:
        start = json.load(f)
    total, steal = cpu_ticks()
    machine = {
        "cpus": os.cpu_count(),
        "seconds": round(time.time() - start["time"], 1),
        "steal_share": round((steal - start["steal"]) / max(total - start["total"], 1), 4),
        "load_average_before": start["load"],
    }
    with open(sys.argv[3], "w") as f:
        json.dump({"pools": {}, "machine": machine}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
