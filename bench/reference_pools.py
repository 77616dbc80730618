#!/usr/bin/env python3
"""reference_pools.py: the Python references of BENCHMARKS.md, W1-W4.

ThreadPoolExecutor(max_workers=2), the thread backend's reference:
  W1  20,000 jobs returning their argument: submit all, then result() each;
      and pool.map(chunksize=256) (ThreadPoolExecutor ignores chunksize). jobs/s
  W2  2,000 sequential submit -> result() round trips after 100 warm-up:
      p50 and p99 in microseconds.
With --process, ProcessPoolExecutor(max_workers=2), the process backends'
reference, on W1 and W2 as above and:
  W3  spin jobs busy-looping on time.thread_time() (the thread CPU clock):
      a: 200 x 10 ms, b: 10,000 x 100 us; efficiency = ideal / wall with
      ideal = total CPU / 2 workers (1.0 s and 0.5 s). And the CPU this
      process and its workers used outside the jobs, us per job.
  W4  500 jobs each sent the same 1 MiB bytes object: len (returns its
      length), then echo (returns the bytes). MiB/s of requests.
  W5  W3a with one worker process SIGKILLed 0.3 s in: how many of the 200
      jobs fail (ProcessPoolExecutor breaks: BrokenProcessPool).

Each pool is started and warmed with 100 jobs outside the timed region. Each
figure is the median of 3 runs (1 with --quick). Prints one JSON object
(the medians under "pools", every run under "passes");
a wrong result exits with status 1. Standard library only.

  reference_pools.py [--quick] [--process]
"""
import argparse
import concurrent.futures as cf
import glob
import json
import math
import os
import random
import signal
import statistics
import sys
import time

W1_JOBS = 20_000
CHUNK = 256
W2_TRIPS = 2_000
WARMUP = 100
WORKERS = 2
W3A_JOBS, W3A_MICROS = 200, 10_000
W3B_JOBS, W3B_MICROS = 10_000, 100
W4_JOBS = 500
MIB = 1 << 20


def identity(x):
    return x


def spin(micros):
    until = time.thread_time() + micros / 1e6
    while time.thread_time() < until:
        pass
    return micros


def echo(data):
    return data


def nap(seconds):
    time.sleep(seconds)
    return seconds


def check(got, want, where):
    if got != want:
        print(f"reference_pools.py: wrong result: {where}: got {got}, want {want}", file=sys.stderr)
        sys.exit(1)


def new_pool(kind):
    pool = kind(max_workers=WORKERS)
    # Start both workers (ProcessPoolExecutor spawns them on demand), then warm up.
    list(pool.map(nap, [0.05] * WORKERS))
    for i in range(WARMUP):
        check(pool.submit(identity, i).result(), i, "warm-up")
    return pool


def w1_submit(kind):
    inputs = list(range(W1_JOBS))
    with new_pool(kind) as pool:
        start = time.perf_counter()
        futures = [pool.submit(identity, x) for x in inputs]
        for x, f in zip(inputs, futures):
            check(f.result(), x, "W1 submit")
        return W1_JOBS / (time.perf_counter() - start)


def w1_map(kind):
    inputs = list(range(W1_JOBS))
    with new_pool(kind) as pool:
        start = time.perf_counter()
        count = 0
        for x, y in zip(inputs, pool.map(identity, inputs, chunksize=CHUNK)):
            check(y, x, "W1 map")
            count += 1
        elapsed = time.perf_counter() - start
    check(count, W1_JOBS, "W1 map count")
    return W1_JOBS / elapsed


def w2_round_trips(kind):
    with new_pool(kind) as pool:
        micros = []
        for i in range(W2_TRIPS):
            start = time.perf_counter_ns()
            check(pool.submit(identity, i).result(), i, "W2")
            micros.append((time.perf_counter_ns() - start) / 1000)
    micros.sort()
    return micros[W2_TRIPS // 2], micros[math.ceil(W2_TRIPS * 0.99) - 1]


def cpu_ns(pids):
    """Nanoseconds all threads of `pids` have run (/proc/PID/task/TID/schedstat); None without schedstat."""
    if not os.path.exists("/proc/self/schedstat"):
        return None
    total = 0
    for pid in pids:
        for task in glob.glob(f"/proc/{pid}/task/*/schedstat"):
            try:
                with open(task) as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass  # the thread ended meanwhile
    return total


def w3_efficiency(kind, count, micros):
    """Efficiency, and the CPU this process and its workers used outside the jobs, us per job (or None)."""
    with new_pool(kind) as pool:
        pids = [os.getpid(), *getattr(pool, "_processes", {})]
        cpu_before = cpu_ns(pids)
        start = time.perf_counter()
        futures = [pool.submit(spin, micros) for _ in range(count)]
        for f in futures:
            check(f.result(), micros, "W3 spin")
        wall = time.perf_counter() - start
        cpu_after = cpu_ns(pids)
    outside = None if cpu_before is None else ((cpu_after - cpu_before) / 1e3 - count * micros) / count
    return count * micros / 1e6 / WORKERS / wall, outside


def w4_mib_per_s(kind, fn):
    data = bytes(random.getrandbits(8) for _ in range(64)) * (MIB // 64)
    with new_pool(kind) as pool:
        start = time.perf_counter()
        futures = [pool.submit(fn, data) for _ in range(W4_JOBS)]
        replies = [f.result() for f in futures]
        wall = time.perf_counter() - start
    want = data if fn is echo else MIB
    check(sum(reply == want for reply in replies), W4_JOBS, f"W4 {fn.__name__}: right replies")
    return W4_JOBS / wall


def w5_failed(kind):
    with new_pool(kind) as pool:
        start = time.perf_counter()
        futures = [pool.submit(spin, W3A_MICROS) for _ in range(W3A_JOBS)]
        time.sleep(max(0.0, start + 0.3 - time.perf_counter()))
        os.kill(next(iter(pool._processes)), signal.SIGKILL)  # one worker's pid
        failed = 0
        for f in futures:
            try:
                check(f.result(), W3A_MICROS, "W5 spin")
            except cf.process.BrokenProcessPool:
                failed += 1
    return failed


def measure(kind, runs, process):
    """The pool's figures (medians) and every pass of each."""
    passes = {"w1_submit_jobs_per_s": [w1_submit(kind) for _ in range(runs)],
              "w1_map_jobs_per_s": [w1_map(kind) for _ in range(runs)]}
    trips = [w2_round_trips(kind) for _ in range(runs)]
    passes["w2_p50_us"] = [p50 for p50, _ in trips]
    passes["w2_p99_us"] = [p99 for _, p99 in trips]
    if process:
        for w3, count, micros in [("w3a", W3A_JOBS, W3A_MICROS), ("w3b", W3B_JOBS, W3B_MICROS)]:
            runs_of = [w3_efficiency(kind, count, micros) for _ in range(runs)]
            passes[f"{w3}_efficiency"] = [eff for eff, _ in runs_of]
            if all(outside is not None for _, outside in runs_of):
                passes[f"{w3}_cpu_outside_us_per_job"] = [outside for _, outside in runs_of]
        for key, work in [("w4_len_mib_per_s", lambda: w4_mib_per_s(kind, len)),
                          ("w4_echo_mib_per_s", lambda: w4_mib_per_s(kind, echo)),
                          ("w5_failed", lambda: w5_failed(kind))]:
            passes[key] = [work() for _ in range(runs)]
    return {key: statistics.median(values) for key, values in passes.items()}, passes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per figure instead of 3")
    parser.add_argument("--process", action="store_true", help="also ProcessPoolExecutor on W1-W4")
    args = parser.parse_args()
    runs = 1 if args.quick else 3
    result = {"workers": WORKERS, "runs": runs, "python": sys.version.split()[0], "pools": {}, "passes": {}}
    pools = [("thread_pool_executor", cf.ThreadPoolExecutor, False)]
    if args.process:
        pools.append(("process_pool_executor", cf.ProcessPoolExecutor, True))
    for name, kind, process in pools:
        result["pools"][name], result["passes"][name] = measure(kind, runs, process)
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
