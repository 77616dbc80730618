#!/usr/bin/env python3
"""report.py: merge the figures of the benchmark programs and the Python
references and print one side-by-side table, thread backend then process
backend, each row with its BENCHMARKS.md target and whether it is met; also
write the merged figures as JSON.

  report.py OUT_JSON IN_JSON...

Each IN_JSON holds {"pools": {name: {figure: value}}}, and may hold
{"passes": {name: {figure: [every run]}}}: taskmill-bench-thread,
taskmill-bench-process and taskmill-bench-zmq-floor --json, reference_pools.py.
Rows whose taskmill figures are missing are left out. Ratios are taskmill /
reference: higher is better for jobs/s, MiB/s and efficiency, lower for us.
Exits 0 whether or not targets are met.
"""
import datetime
import json
import sys

THREAD = ["taskmill_thread"]
PROCESS = ["taskmill_process_embedded", "taskmill_process_service", "taskmill_process_service_unix"]
SHORT = {"taskmill_thread": "thread", "taskmill_process_embedded": "emb", "taskmill_process_service": "svc",
         "taskmill_process_service_unix": "svc unix",
         "thread_pool_executor": "TPE", "minimal_pool": "minimal", "onetbb": "oneTBB",
         "process_pool_executor": "PPE", "zmq_ipc": "zmq ipc", "zmq_tcp": "zmq tcp",
         "xargs": "xargs -P2", "posix_spawn": "posix_spawn", "gnu_parallel": "parallel -j2",
         "raw_threads": "2 threads", "raw_threads_thread_bench": "2 threads", "raw_threads_woken": "2 threads + 3 wake-ups/job", "zmq_ipc_spin": "zmq ipc busy-poll", "zmq_push_pull": "zmq push/pull 100 B",
         "zmq_stream_1mib_ipc": "zmq 1 MiB stream ipc", "zmq_stream_1mib_tcp": "zmq 1 MiB stream tcp"}
# A reference measured under another name than the row's figure: (pool, row
# figure) -> its figure. The transport's own message rate stands beside W1's
# job rate (one message per job would be the floor).
# W4 likewise beside a raw stream of 1 MiB messages through one hop (a
# service job crosses two each way).
ALIASES = {("zmq_push_pull", "w1_submit_jobs_per_s"): "stream_msgs_per_s",
           **{(pool, key): "stream_mib_per_s" for pool in ("zmq_stream_1mib_ipc", "zmq_stream_1mib_tcp")
              for key in ("w4_len_mib_per_s", "w4_echo_mib_per_s")}}
W4_REFS = ["process_pool_executor", "zmq_stream_1mib_ipc", "zmq_stream_1mib_tcp"]
EMB, SVC = "taskmill_process_embedded", "taskmill_process_service"
THREAD_REFS = ["thread_pool_executor", "minimal_pool", "onetbb"]

# A bound: (subject, reference or None, bound). With a reference the target is
# on taskmill / reference; with None on the figure itself.
# Row: (label, figure key, unit, subjects, references shown, bounds, higher is better)
ROWS = [
    ("W1 submit", "w1_submit_jobs_per_s", "jobs/s", THREAD, THREAD_REFS,
     [("taskmill_thread", "thread_pool_executor", 10.0), ("taskmill_thread", "minimal_pool", 1.5),
      ("taskmill_thread", "onetbb", 0.5)], True),
    ("W1 map(256)", "w1_map_jobs_per_s", "jobs/s", THREAD, ["process_pool_executor"],
     [("taskmill_thread", "process_pool_executor", 2.0)], True),
    ("W2 p50", "w2_p50_us", "us", THREAD, THREAD_REFS,
     [("taskmill_thread", "minimal_pool", 1.0), ("taskmill_thread", "onetbb", 1.2)], False),
    ("W2 p99", "w2_p99_us", "us", THREAD, THREAD_REFS, [], False),
    ("W3a 200x10ms", "w3a_efficiency", "eff", THREAD, ["minimal_pool", "onetbb", "raw_threads_thread_bench"],
     [("taskmill_thread", None, 0.99)], True),
    ("W3b 10000x100us", "w3b_efficiency", "eff", THREAD, ["minimal_pool", "onetbb", "raw_threads_thread_bench"],
     [("taskmill_thread", None, 0.95)], True),
    ("W1 submit", "w1_submit_jobs_per_s", "jobs/s", PROCESS, ["process_pool_executor", "zmq_push_pull"],
     [(PROCESS[0], "process_pool_executor", 20.0), (PROCESS[1], "process_pool_executor", 10.0),
      (PROCESS[2], "process_pool_executor", 10.0)], True),
    ("W1 map(256)", "w1_map_jobs_per_s", "jobs/s", PROCESS, ["process_pool_executor"],
     [(PROCESS[0], "process_pool_executor", 2.0), (PROCESS[1], "process_pool_executor", 2.0),
      (PROCESS[2], "process_pool_executor", 2.0)], True),
    ("W2 p50", "w2_p50_us", "us", PROCESS, ["zmq_ipc", "zmq_tcp", "zmq_ipc_spin", "process_pool_executor"],
     [(PROCESS[0], "zmq_ipc", 1.25), (PROCESS[1], "zmq_ipc", 2.5), (PROCESS[2], "zmq_ipc", 2.5)], False),
    ("W2 p99", "w2_p99_us", "us", PROCESS, ["zmq_ipc", "zmq_tcp", "zmq_ipc_spin", "process_pool_executor"], [], False),
    ("W3a 200x10ms", "w3a_efficiency", "eff", PROCESS, ["process_pool_executor", "raw_threads", "raw_threads_woken"],
     [(PROCESS[0], None, 0.98), (PROCESS[1], None, 0.98), (PROCESS[2], None, 0.98)], True),
    ("W3b 10000x100us", "w3b_efficiency", "eff", PROCESS, ["process_pool_executor", "raw_threads"],
     [(PROCESS[0], None, 0.90), (PROCESS[1], None, 0.90), (PROCESS[2], None, 0.90)], True),
    ("W3a CPU outside the jobs, per job", "w3a_cpu_outside_us_per_job", "us", PROCESS, ["process_pool_executor"],
     [], False),
    ("W3b CPU outside the jobs, per job", "w3b_cpu_outside_us_per_job", "us", PROCESS, ["process_pool_executor"],
     [], False),
    ("W4 len 1MiB", "w4_len_mib_per_s", "MiB/s", PROCESS, W4_REFS,
     [(PROCESS[0], "process_pool_executor", 2.0), (PROCESS[1], "process_pool_executor", 2.0),
      (PROCESS[2], "process_pool_executor", 2.0)], True),
    ("W4 echo 1MiB", "w4_echo_mib_per_s", "MiB/s", PROCESS, W4_REFS,
     [(PROCESS[0], "process_pool_executor", 2.0), (PROCESS[1], "process_pool_executor", 2.0),
      (PROCESS[2], "process_pool_executor", 2.0)], True),
    ("W5 jobs lost", "w5_lost", "jobs", [EMB, SVC], [], [(EMB, None, 0), (SVC, None, 0)], False),
    ("W5 duplicate results", "w5_duplicates", "jobs", [EMB, SVC], [], [(EMB, None, 0), (SVC, None, 0)], False),
    ("W5 PPE jobs failed of 200", "w5_failed", "jobs", ["process_pool_executor"], [], [], False),
    ("W5 wall / W3a wall", "w5_wall_over_w3a", "x", [EMB, SVC], [], [(EMB, None, 1.2)], False),
    ("W5 wall - W3a wall", "w5_wall_excess_s", "s", [EMB, SVC], [], [(SVC, None, 1.8)], False),
    ("W6 2000 x true", "w6_jobs_per_s", "jobs/s", [EMB], ["xargs", "posix_spawn", "gnu_parallel"],
     [(EMB, "xargs", 1.0), (EMB, "posix_spawn", 0.7)], True),
    ("W7 2 workers", "w7_jobs_per_s_2", "jobs/s", [SVC], [], [], True),
    ("W7 64 workers", "w7_jobs_per_s_64", "jobs/s", [SVC], [], [], True),
    ("W7 512 workers", "w7_jobs_per_s_512", "jobs/s", [SVC], [], [], True),
    ("W7 512 / 2 workers", "w7_ratio_512_over_2", "x", [SVC], [], [(SVC, None, 0.8)], True),
    ("W8 memory per queued job", "w8_bytes_per_queued_job", "B", [SVC], [], [(SVC, None, 256)], False),
    ("W8 coordinator peak RSS", "w8_coordinator_peak_bytes", "MiB", [SVC], [], [], False),
]


def fmt(value, unit):
    if value is None:
        return "n/a"
    if unit == "us":
        return f"{value:.0f}" if value >= 100 else f"{value:.1f}"
    if unit == "eff":
        return f"{value:.3f}"
    if unit == "MiB/s" or unit == "jobs" or unit == "B":
        return f"{value:.0f}"
    if unit == "MiB":
        return f"{value / (1 << 20):.0f}"
    if unit in ("x", "s"):
        return f"{value:.2f}"
    return f"{value / 1e6:.2f}M" if value >= 1e6 else f"{value / 1e3:.1f}k"


def fmt_ratio(ratio):
    if ratio is None:
        return "n/a"
    return f"{ratio:.1f}x" if ratio >= 10 else f"{ratio:.2f}x" if ratio >= 0.1 else f"{ratio:.3f}x"


def figure(pools, pool, key):
    return pools.get(pool, {}).get(ALIASES.get((pool, key), key))


def ratio(pools, subject, ref, key):
    mine, theirs = figure(pools, subject, key), figure(pools, ref, key)
    return mine / theirs if mine is not None and theirs else None


def evaluate(row, pools):
    label, key, unit, subjects, refs, bounds, higher = row
    sign = ">=" if higher else "<="
    who = (lambda s: SHORT[s] + " ") if len(subjects) > 1 else (lambda s: "")
    targets, verdicts, missing = [], [], set()
    for subject, ref, bound in bounds:
        if ref is None:
            value = figure(pools, subject, key)
            targets.append(f"{who(subject)}{sign}{bound:g}")
        else:
            value = ratio(pools, subject, ref, key)
            targets.append(f"{who(subject)}{sign}{bound:g}x {SHORT[ref]}")
        if value is None:
            missing.add(SHORT[ref] if ref else SHORT[subject])
        else:
            verdicts.append(value >= bound if higher else value <= bound)
    if not bounds:
        met = "-"
    elif not verdicts:
        met = "n/a"
    else:
        met = "yes" if all(verdicts) else "NO"
    if missing:
        met += f" ({', '.join(sorted(missing))} not measured)"
    return {"workload": label, "unit": unit, "backend": "thread" if subjects == THREAD else "process",
            "taskmill": {s: figure(pools, s, key) for s in subjects},
            "references": {r: figure(pools, r, key) for r in refs},
            "ratios": {s: {r: ratio(pools, s, r, key) for r in refs} for s in subjects},
            "target": ", ".join(targets) or "-", "met": met}


def cells(result):
    unit = result["unit"]
    subjects = list(result["taskmill"])
    mine = " / ".join(fmt(v, unit) for v in result["taskmill"].values())
    refs = ", ".join(f"{SHORT[r]} {fmt(v, unit)}" for r, v in result["references"].items())
    ratios = ", ".join(" / ".join(fmt_ratio(result["ratios"][s][r]) for s in subjects) + f" {SHORT[r]}"
                       for r in result["references"])
    name = f"{result['workload']} ({unit})"
    return [result["backend"], name, mine, refs, ratios, result["target"], result["met"]]


def print_table(results):
    header = ["backend", "workload", "taskmill (thread, or emb / svc / svc unix)", "references", "ratio taskmill/ref",
              "target (BENCHMARKS.md)", "met"]
    lines = [cells(r) for r in results]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines)]
    for row in [header, ["-" * w for w in widths]] + lines:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
    print("emb = embedded (coordinator in the client process), svc = service (coordinator and workers as daemons, "
          "the workers at the coordinator's Unix socket, the client over tcp), svc unix = the same with the client "
          "at the Unix socket too; TPE/PPE = Thread/ProcessPoolExecutor; zmq = raw DEALER/ROUTER round trip between 2 processes "
          "(busy-poll: the caller polls for the reply, as taskmill's get() spins while round trips are short), "
          "push/pull = a raw stream of 100-byte messages; 1 MiB stream = 500 raw 1 MiB messages through one hop; "
          "2 threads = the same spins on 2 plain threads, the machine's ceiling for W3; + 3 wake-ups/job = the same, "
          "each job's end waking 3 threads asleep in poll(), the fewest a job of a process executor wakes")


# Passes of one figure this far apart or more (largest / smallest) are listed
# under the table for the rows with a target: a median hides them, and a
# target met or missed by such a figure is to be read with its range.
SPREAD_SHOWN = 1.25


def print_spreads(passes):
    spreads, seen = [], set()  # a reference stands in the rows of both backends
    for label, key, unit, subjects, refs, bounds, _ in ROWS:
        if not bounds:
            continue  # no target rests on it
        shown = []
        for pool in subjects + refs:
            figure_key = ALIASES.get((pool, key), key)
            if (pool, figure_key) in seen:
                continue
            seen.add((pool, figure_key))
            values = [v for v in passes.get(pool, {}).get(figure_key, []) if v is not None]
            if len(values) > 1 and min(values) > 0 and max(values) / min(values) >= SPREAD_SHOWN:
                shown.append(f"{SHORT[pool]} {fmt(min(values), unit)}-{fmt(max(values), unit)}")
        if shown:
            backend = "thread" if subjects == THREAD else "process"
            spreads.append(f"{backend} {label} ({unit}): " + ", ".join(shown))
    if spreads:
        print(f"passes {SPREAD_SHOWN}x or more apart (the table shows their medians): " + "; ".join(spreads))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    pools, passes, runs, machine = {}, {}, None, None
    for path in sys.argv[2:]:
        with open(path) as f:
            data = json.load(f)
        for name, figures in data["pools"].items():  # several programs measure one pool
            pools.setdefault(name, {}).update(figures)
        for name, figures in data.get("passes", {}).items():
            passes.setdefault(name, {}).update(figures)
        runs = runs or data.get("runs")
        machine = machine or data.get("machine")
    results = [evaluate(row, pools) for row in ROWS if any(figure(pools, s, row[1]) is not None for s in row[3])]
    print_table(results)
    print_spreads(passes)
    if machine:
        print(f"machine: {machine['cpus']} CPUs; during the {machine['seconds']:.0f} s of benchmarks the hypervisor "
              f"stole {100 * machine['steal_share']:.1f}% of CPU time (steal in /proc/stat); load average "
              f"{machine['load_average_before']:.2f} before. Above a few percent, expect taskmill's ratios to drop.")
    merged = {"when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "runs": runs, "workers": 2, "pools": pools, "passes": passes, "rows": results, "machine": machine}
    with open(sys.argv[1], "w") as f:
        json.dump(merged, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
