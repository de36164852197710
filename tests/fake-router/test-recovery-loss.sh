#!/usr/bin/env bash
# Lost packets between tftpd-hpa and the simulated bootloader (nftables on the
# PC's egress, tests/netns): a few losses within the unit's budget of 10
# timeouts are survived; a server that honours the request's "timeout 5"
# retransmits too late and every loss restarts the transfer; sustained loss
# restarts it again and again, each time from a new port (RECOVERY.md).
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/recovery-lib.sh"
rec_setup
DATA_TO_UNIT="ip daddr 192.168.1.2 udp sport != 69 @th,64,16 3"

drop_count() { pc nft list table netdev mpf_drop | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'; }
request_ports() { events | sed -n 's/.*read request [0-9]* from port \([0-9]*\).*/\1/p'; }
to_recovery() {
  ctl power-cycle reset-held >/dev/null
  ctl wait recovery 20 >/dev/null || netns_fail "no recovery after power-cycle"
}

fr_flash erased
fr_start --reset-held
ctl wait recovery 20 >/dev/null || netns_fail "router did not enter recovery"

# 1. Three DATA packets lost; the server resends after 0.5 s (its "timeout"
#    option refused), so each loss costs the unit one or two timeouts.
"$MPF_NETNS" drop "$NETNS" pc 5,9,200 $DATA_TO_UNIT
owrt=$(rec_container openwrt 300000)
stock=$(rec_container hame-stock 60000)
rec_serve "$owrt" --refuse timeout -T 500000
ctl wait running/openwrt 60 >/dev/null
check "3 lost DATA packets: the transfer still completes (OpenWrt boots)" contains "$(ctl state)" '"family":"openwrt"'
check "exactly 3 DATA packets were dropped" test "$(drop_count)" = 3
check "the losses cost timeouts" has_event "timeout 1: resend ack"
check "no restart" test "$(ev_count "restart (")" = 0
check "image intact at 0x50000" firmware_is "$owrt"

# 2. drop-every-nth (the unit itself drops each 40th packet it receives):
#    129 blocks, 3 drops, each costing one or two timeouts.
rec_serve "$stock"
ctl set drop-every-nth 40 >/dev/null
to_recovery
ctl wait running/hame-stock 60 >/dev/null
check "drop-every-nth 40: still completes (stock boots)" contains "$(ctl state)" '"family":"hame-stock"'
check "drop-every-nth 40: the unit dropped packets 40, 80, 120" has_event "fault: dropped received packet 120"
check "drop-every-nth 40: no restart" test "$(ev_count "restart (")" = 0
check "stock image at 0x50000" firmware_is "$stock"
ctl set drop-every-nth 0 >/dev/null

# 3. A server honouring "timeout 5" waits 5 s, longer than the whole budget
#    (0.7 + 10 x 0.35 s): one lost DATA packet restarts the transfer.
rec_unserve
"$MPF_NETNS" drop "$NETNS" pc 30 $DATA_TO_UNIT
rec_serve "$owrt"
n_req=$(ev_count "read request")
to_recovery
ctl wait running/openwrt 60 >/dev/null
check "one loss against a 5 s server: completes after a restart" contains "$(ctl state)" '"family":"openwrt"'
check "the 11th timeout restarted the transfer" has_event "timeout 11: budget of 10 exhausted, restart"
check "exactly one restart" test "$(ev_count "restart (timeouts)")" = 1
ports=$(request_ports | tail -n +$((n_req + 1)))
check "two read requests, from two different ports" test "$(printf '%s\n' "$ports" | sort -u | wc -l)" = 2
"$MPF_NETNS" drop "$NETNS" pc none

# 4. Sustained loss: the unit restarts again and again, each time anew.
rec_unserve
rec_serve "$stock" --refuse timeout -T 500000
"$MPF_NETNS" loss "$NETNS" pc 60
restarts=$(ev_count "restart (")
n_req=$(ev_count "read request")
to_recovery
at_least_restarts() { [ "$(ev_count "restart (")" -ge $((restarts + $1)) ]; }
wait_for 120 "three restarts under 60% loss" at_least_restarts 3
check "60% loss: the transfer restarts again and again" at_least_restarts 3
ports=$(request_ports | tail -n +$((n_req + 1)))
check "each restart requests from a new port" test "$(printf '%s\n' "$ports" | sort -u | wc -l)" -ge 3
check "and ARPs again" test "$(ev_count "ARP who-has")" -ge 4
"$MPF_NETNS" loss "$NETNS" pc 0
ctl wait running/hame-stock 60 >/dev/null
check "loss gone: the next attempt completes (stock boots)" contains "$(ctl state)" '"family":"hame-stock"'
check "stock image at 0x50000" firmware_is "$stock"

tap_done
