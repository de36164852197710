#!/usr/bin/python3
# A DHCP DISCOVER on one interface; prints "OFFER <yiaddr> <server-id>" from
# the first OFFER (the simulator's DHCP server is Debian's dnsmasq; this is
# only the probe, since no DHCP client ships on the test machines).
import os, random, socket, struct, sys

ifname = sys.argv[1]
timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
mac = bytes.fromhex(open(f"/sys/class/net/{ifname}/address").read().strip().replace(":", ""))
xid = random.getrandbits(32)
pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                  b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"", b"")
pkt += b"\x63\x82\x53\x63" + b"\x35\x01\x01" + b"\x37\x02\x01\x03" + b"\xff"

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
s.bind(("0.0.0.0", 68))
s.settimeout(1.0)
deadline = timeout
while deadline > 0:
    s.sendto(pkt, ("255.255.255.255", 67))
    try:
        while True:
            data, _ = s.recvfrom(2048)
            if len(data) < 240 or struct.unpack("!I", data[4:8])[0] != xid:
                continue
            yiaddr = socket.inet_ntoa(data[16:20])
            opts, i, server, mtype = data[240:], 0, "?", 0
            while i < len(opts) and opts[i] != 255:
                if opts[i] == 0:
                    i += 1
                    continue
                code, ln = opts[i], opts[i + 1]
                val = opts[i + 2:i + 2 + ln]
                if code == 53:
                    mtype = val[0]
                if code == 54:
                    server = socket.inet_ntoa(val)
                i += 2 + ln
            if mtype == 2:
                print("OFFER", yiaddr, server)
                sys.exit(0)
    except socket.timeout:
        deadline -= 1.0
sys.exit(1)
