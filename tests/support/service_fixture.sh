#!/usr/bin/env bash
# CTest fixture for the contract suite on a coordinator service: real daemons.
#   service_fixture.sh start DIR COORDINATOR WORKER   coordinator on a free port + 2 workers;
#                                                     writes DIR/service.toml for TASKMILL_CONFIG
#   service_fixture.sh stop DIR                       SIGTERM them, SIGKILL what is left after 5 s
set -euo pipefail
action="$1"
dir="$2"

case "$action" in
  start)
    coordinator="$3"
    worker="$4"
    mkdir -p "$dir"
    rm -f "$dir/pids" "$dir/service.toml"
    "$coordinator" --listen 'tcp://127.0.0.1:*' </dev/null >"$dir/coordinator.log" 2>&1 &
    echo $! >>"$dir/pids"
    address=""
    for _ in $(seq 100); do
      address="$(grep -o 'tcp://[0-9.]*:[0-9]*' "$dir/coordinator.log" | head -1 || true)"
      [[ -n "$address" ]] && break
      sleep 0.1
    done
    if [[ -z "$address" ]]; then
      cat "$dir/coordinator.log" >&2
      exit 1
    fi
    for i in 1 2; do
      "$worker" --coordinator "$address" --slots 1 </dev/null >"$dir/worker$i.log" 2>&1 &
      echo $! >>"$dir/pids"
    done
    printf 'backend = "process"\ncoordinator = "%s"\nworkers = 2\n' "$address" >"$dir/service.toml"
    echo "service at $address"
    ;;
  stop)
    [[ -f "$dir/pids" ]] || exit 0
    pids="$(cat "$dir/pids")"
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 50); do
      alive=0
      for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
      ((alive == 0)) && break
      sleep 0.1
    done
    kill -KILL $pids 2>/dev/null || true
    rm -f "$dir/pids"
    ;;
  *)
    echo "usage: $0 start DIR COORDINATOR WORKER | stop DIR" >&2
    exit 2
    ;;
esac
