#!/usr/bin/env python3
"""report.py: merge the thread-backend figures with the Python references and
print one side-by-side table of W1/W2, each row with its BENCHMARKS.md target
and whether it is met; also write the merged figures as JSON.

  report.py THREAD_JSON PYTHON_JSON OUT_JSON

THREAD_JSON comes from taskmill-bench-thread --json, PYTHON_JSON from
reference_pools.py. Ratios are taskmill / reference: higher is better for
jobs/s, lower is better for microseconds. Exits 0 whether or not targets are met.
"""
import datetime
import json
import sys

COLUMNS = [("thread_pool_executor", "ThreadPoolExecutor"), ("minimal_pool", "minimal pool"), ("onetbb", "oneTBB")]

# (label, figure key, unit, {reference: bound}, higher is better)
# A bound is the ratio taskmill / reference the target asks for.
ROWS = [
    ("W1 submit", "w1_submit_jobs_per_s", "jobs/s",
     {"thread_pool_executor": 10.0, "minimal_pool": 1.5, "onetbb": 0.5}, True),
    ("W1 map(256)", "w1_map_jobs_per_s", "jobs/s", {"process_pool_executor": 2.0}, True),
    ("W2 p50", "w2_p50_us", "us", {"minimal_pool": 1.0, "onetbb": 1.2}, False),
    ("W2 p99", "w2_p99_us", "us", {}, False),
]
SHORT = {"thread_pool_executor": "TPE", "minimal_pool": "minimal", "onetbb": "oneTBB",
         "process_pool_executor": "ProcessPoolExecutor map(256)"}


def fmt(value, unit):
    if value is None:
        return "n/a"
    if unit == "us":
        return f"{value:.1f}"
    return f"{value / 1e6:.2f}M" if value >= 1e6 else f"{value / 1e3:.1f}k"


def fmt_ratio(ratio):
    if ratio is None:
        return "n/a"
    return f"{ratio:.1f}x" if ratio >= 10 else f"{ratio:.2f}x" if ratio >= 0.1 else f"{ratio:.3f}x"


def evaluate(row, pools):
    label, key, unit, bounds, higher = row
    mine = pools["taskmill_thread"][key]
    ratios = {ref: mine / pools[ref][key] if ref in pools and key in pools[ref] else None for ref, _ in COLUMNS}
    parts, met, skipped = [], True, []
    for ref, bound in bounds.items():
        sign = ">=" if higher else "<="
        if ref not in pools or key not in pools[ref]:
            skipped.append(SHORT[ref])
            parts.append(f"{sign}{bound:g}x {SHORT[ref]}")
            continue
        ratio = mine / pools[ref][key]
        met = met and (ratio >= bound if higher else ratio <= bound)
        extra = f" ({fmt(pools[ref][key], unit)})" if ref not in dict(COLUMNS) else ""
        parts.append(f"{sign}{bound:g}x {SHORT[ref]}{extra}")
    if not bounds:
        verdict = "-"
    elif len(skipped) == len(bounds):
        verdict = "n/a"
    else:
        verdict = "yes" if met else "NO"
    if skipped:
        verdict += f" ({', '.join(skipped)} not measured)"
    return {"workload": label, "unit": unit, "taskmill_thread": mine,
            "references": {ref: pools.get(ref, {}).get(key) for ref, _ in COLUMNS},
            "ratios": ratios, "target": ", ".join(parts) or "-", "met": verdict}


def print_table(results):
    header = ["workload", "taskmill thread"] + [name for _, name in COLUMNS] + \
             [f"ratio vs {SHORT[ref]}" for ref, _ in COLUMNS] + ["target", "met"]
    lines = []
    for r in results:
        unit = r["unit"]
        cells = [f"{r['workload']} ({unit})", fmt(r["taskmill_thread"], unit)]
        cells += [fmt(r["references"][ref], unit) for ref, _ in COLUMNS]
        cells += [fmt_ratio(r["ratios"][ref]) for ref, _ in COLUMNS]
        cells += [r["target"], r["met"]]
        lines.append(cells)
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines)]
    for cells in [header, ["-" * w for w in widths]] + lines:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |")
    print("ratios are taskmill / reference: higher is better for jobs/s, lower for us")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        thread = json.load(f)
    with open(sys.argv[2]) as f:
        python = json.load(f)
    pools = {**thread["pools"], **python["pools"]}
    results = [evaluate(row, pools) for row in ROWS]
    print_table(results)
    merged = {"when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "runs": thread["runs"], "workers": thread["workers"], "pools": pools, "rows": results}
    with open(sys.argv[3], "w") as f:
        json.dump(merged, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
