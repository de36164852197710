#!/usr/bin/env bash
# Self-test of the namespace test bed (mpf-netns + lib.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

netns_require_root
host_links_before=$(ip -o link show | awk -F': ' '{print $2}' | sort)
netns_setup --unpriv-ports
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else echo "not ok $((n + 1)) - $what"; exit 1; fi; }
refuted() { ! "$@"; }

pc ip addr add 192.168.1.55/24 dev "$IF_PC"
rt ip addr add 192.168.1.2/24 dev "$IF_RT"
ping_rt() { pc ping -n -q -c 1 -W 1 192.168.1.2 >/dev/null 2>&1; }
ping_rt_n() { pc ping -n -q -c "$1" -i 0.05 -W 1 192.168.1.2 >/dev/null 2>&1; }

check "namespaces exist" sh -c "ip netns list | grep -q '^$NS_PC' && ip netns list | grep -q '^$NS_RT'"
check "host has no new interface" [ "$(ip -o link show | awk -F': ' '{print $2}' | sort)" = "$host_links_before" ]
check "unprivileged ports enabled in pc" [ "$(pc sysctl -n net.ipv4.ip_unprivileged_port_start)" = 0 ]
check "host sysctl untouched" [ "$(sysctl -n net.ipv4.ip_unprivileged_port_start)" != 0 ] || [ -n "${MPF_HOST_UNPRIV_ZERO:-}" ]
wait_for 5 "first ping" ping_rt
ok "ping across the veth pair"

# Loss is measured with UDP (what TFTP uses): an egress drop is silent for a
# UDP sender, while ping (IP_RECVERR) sees ENOBUFS and retries. Each side
# counts what arrives on its ingress hook.
for side in pc rt; do
  dev=$IF_PC
  [ $side = rt ] && dev=$IF_RT
  echo "table netdev mpf_test_rx { chain ingress { type filter hook ingress device \"$dev\" priority 0; policy accept; udp dport 9999 counter; }; }" |
    "$MPF_NETNS" exec "$NETNS" $side nft -f -
done
# udp_burst FROM N: send N datagrams to the other side's port 9999, 20 ms apart.
udp_burst() {
  local to=192.168.1.2
  [ "$1" = rt ] && to=192.168.1.55
  "$MPF_NETNS" exec "$NETNS" "$1" bash -c "for i in \$(seq $2); do echo \$i >/dev/udp/$to/9999 2>/dev/null; sleep 0.02; done"
}
rx_count() { "$MPF_NETNS" exec "$NETNS" "$1" nft list table netdev mpf_test_rx | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }
# rx_delta FROM N: how many of N datagrams sent from one side arrived.
rx_delta() {
  local to=rt before after
  [ "$1" = rt ] && to=pc
  before=$(rx_count $to)
  udp_burst "$1" "$2"
  after=$(rx_count $to)
  echo $((after - before))
}

check "no loss: 10 of 10 UDP datagrams arrive" [ "$(rx_delta pc 10)" = 10 ]
"$MPF_NETNS" loss "$NETNS" pc 100
check "loss 100 on pc egress: ping fails" refuted ping_rt_n 2
check "loss 100 on pc egress: no UDP arrives" [ "$(rx_delta pc 10)" = 0 ]
"$MPF_NETNS" loss "$NETNS" pc 0
check "loss 0: ping works again" ping_rt
check "loss 0: 10 of 10 arrive" [ "$(rx_delta pc 10)" = 10 ]
"$MPF_NETNS" loss "$NETNS" pc 50
got=$(rx_delta pc 60)
check "loss 50: some but not all of 60 arrive (got $got)" [ "$got" -gt 0 -a "$got" -lt 60 ]
"$MPF_NETNS" loss "$NETNS" pc 0
"$MPF_NETNS" loss "$NETNS" rt 100
check "loss 100 on rt egress: ping fails" refuted ping_rt_n 2
check "loss 100 on rt egress: no UDP arrives" [ "$(rx_delta rt 10)" = 0 ]
"$MPF_NETNS" loss "$NETNS" rt 0
check "loss 0 on rt: ping works" ping_rt

# Deterministic drop: exactly the 2nd and 4th matching packets are lost.
"$MPF_NETNS" drop "$NETNS" pc 2,4 "udp dport 9999"
check "drop 2,4: 4 of 6 arrive" [ "$(rx_delta pc 6)" = 4 ]
check "drop 2,4: later packets all arrive" [ "$(rx_delta pc 6)" = 6 ]
"$MPF_NETNS" drop "$NETNS" pc none
check "drop none: ping works" ping_rt

"$MPF_NETNS" link "$NETNS" down
check "link down: ping fails" refuted ping_rt_n 2
check "link down: pc end lost carrier" pc sh -c "ip link show $IF_PC | grep -q NO-CARRIER"
"$MPF_NETNS" link "$NETNS" up
wait_for 10 "ping after link up" ping_rt
ok "link up: ping works"

# The C guard: refuses the host namespace, accepts ours.
guard=${MPF_BUILD_ROOT:+$MPF_BUILD_ROOT/tests/netns/mpf-netns-guard-check}
if [ -n "$guard" ] && [ -x "$guard" ]; then
  check "C guard refuses the host namespace" [ "$("$guard" >/dev/null; echo $?)" = 3 ]
  check "C guard accepts a test namespace" [ "$(rt "$guard")" = inside ]
  check "C guard accepts a listed namespace behind a private /run" \
    [ "$(rt unshare -m sh -c "mount -t tmpfs none /run && '$guard'")" = inside ]
  # An anonymous namespace is provably private only where PID 1's is readable.
  want=3
  stat -L /proc/1/ns/net >/dev/null 2>&1 && want=0
  check "C guard on an unlisted anonymous namespace exits $want" \
    [ "$(unshare -n sh -c "MPF_NETNS_INODES= '$guard' >/dev/null; echo \$?")" = $want ]
fi

# Background processes are ended at teardown.
netns_spawn rt "$NETNS_TMP/sleeper.log" sleep 600
sleeper=$NETNS_PID
# ip netns exec enters the namespace just after the fork: wait for it.
check "spawned process runs in rt" wait_for 10 "sleeper in $NS_RT" \
  sh -c "[ \"\$(ip netns identify $sleeper)\" = $NS_RT ]"

# Refusals: names we did not create, even ones that exist.
foreign=mpfforeign$$
ip netns add "$foreign-pc"
trap 'ip netns delete "$foreign-pc" 2>/dev/null; netns_teardown' EXIT
check "refuses exec on a foreign set" refuted "$MPF_NETNS" exec "$foreign" pc true
check "refuses teardown of a foreign set" refuted "$MPF_NETNS" teardown "$foreign"
check "foreign namespace survived" sh -c "ip netns list | grep -q '^$foreign-pc'"
check "refuses setup over an existing namespace" refuted "$MPF_NETNS" setup "$foreign"
check "refused setup left the foreign namespace alone" sh -c "ip netns list | grep -q '^$foreign-pc'"
check "refused setup left no record" refuted "$MPF_NETNS" info "$foreign"
ip netns delete "$foreign-pc"
trap netns_teardown EXIT
check "refuses a bad name" refuted "$MPF_NETNS" setup "../etc"
check "non-root is skipped with 77" [ "$(setpriv --reuid=65534 --regid=65534 --clear-groups "$MPF_NETNS" list >/dev/null 2>&1; echo $?)" = 77 ]

# Teardown leaves nothing.
name=$NETNS
netns_teardown
check "teardown removed the namespaces" refuted sh -c "ip netns list | grep -q '^$name-'"
check "teardown ended the spawned process" refuted kill -0 "$sleeper"
check "teardown left the host links as they were" [ "$(ip -o link show | awk -F': ' '{print $2}' | sort)" = "$host_links_before" ]
check "teardown removed the record" refuted "$MPF_NETNS" info "$name"

# A test killed by SIGTERM still cleans up through its trap.
child=$(mktemp -d)
cat >"$child/t.sh" <<EOF
. "$NETNS_DIR/lib.sh"
NETNS_NAME=mpfkill$$
netns_setup
netns_spawn pc "\$NETNS_TMP/s.log" sleep 600
echo ready > "$child/ready"
while :; do sleep 0.1; done
EOF
bash "$child/t.sh" &
cpid=$!
wait_for 20 "child test set up" test -f "$child/ready"
check "child's namespaces exist" sh -c "ip netns list | grep -q '^mpfkill$$-pc'"
kill -TERM "$cpid"
wait "$cpid" || true
check "killed test: its namespaces are gone" refuted sh -c "ip netns list | grep -q '^mpfkill$$-'"

# A test killed outright (SIGKILL) leaves a stale set that gc removes.
bash "$child/t.sh" &
cpid=$!
rm -f "$child/ready"
wait_for 20 "child test set up again" test -f "$child/ready"
kill -KILL "$cpid"
wait "$cpid" 2>/dev/null || true
check "SIGKILLed test left its set" sh -c "ip netns list | grep -q '^mpfkill$$-pc'"
"$MPF_NETNS" gc 2>/dev/null
check "gc removed the stale set" refuted sh -c "ip netns list | grep -q '^mpfkill$$-'"
rm -rf "$child"

echo "1..$n"
