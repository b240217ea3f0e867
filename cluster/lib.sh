# Helpers shared by cluster/up, cluster/status and cluster/down (sourced, not run).

# pid_alive PIDFILE: true when the pid in PIDFILE is a running gravity process. Checking the
# command line as well keeps a stale pid file from naming some unrelated process that reused it.
pid_alive() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'gravity'
}

# http_json IP PATH: the body of GET http://IP:8500PATH, or nothing when the node does not answer 2xx.
http_json() {
  curl -fsS --max-time 1 "http://$1:8500$2" 2>/dev/null || true
}

# leader_of IP: the leader's peer address as this node sees it ("" when none or no answer).
leader_of() {
  http_json "$1" /v1/status/leader | python3 -c '
import json, sys
try:
    value = json.load(sys.stdin)
except ValueError:
    value = ""
print(value if isinstance(value, str) else "")'
}
