#!/usr/bin/python3
"""Figures from a pcap of one TFTP transfer (bench-tftp.sh): throughput and
the server's per-block turnaround (ACK n in -> DATA n+1 out, first sends
only, lock-step), p50/p99. usage: tftp-capture-stats.py FILE.pcap SIZE"""
import struct
import sys


def packets(path):
    with open(path, 'rb') as f:
        head = f.read(24)
        magic = struct.unpack('<I', head[:4])[0]
        endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
        nano = magic in (0xa1b23c4d, 0x4d3cb2a1)
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, frac, incl, _ = struct.unpack(endian + 'IIII', rec)
            data = f.read(incl)
            t = sec + frac / (1e9 if nano else 1e6)
            if len(data) < 14 + 20 + 8 or data[12:14] != b'\x08\x00' or data[23] != 17:
                continue
            ihl = (data[14] & 0x0f) * 4
            udp = data[14 + ihl:]
            sport, dport = struct.unpack('>HH', udp[:4])
            payload = udp[8:]
            if len(payload) < 2:
                continue
            op = struct.unpack('>H', payload[:2])[0]
            block = struct.unpack('>H', payload[2:4])[0] if len(payload) >= 4 else None
            yield t, sport, dport, op, block


def pct(values, p):
    if not values:
        return float('nan')
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def main():
    path, size = sys.argv[1], int(sys.argv[2])
    pkts = list(packets(path))
    start = next((p[0] for p in pkts if p[3] == 1 and p[2] == 69), None)
    acks = [p for p in pkts if p[3] == 4]
    end = acks[-1][0] if acks else None
    turn, sent, prev = [], set(), None
    data_packets = 0
    for p in pkts:
        t, _, _, op, block = p
        if op == 3:
            data_packets += 1
            if prev is not None and prev[3] == 4 and block == (prev[4] + 1) % 65536 \
                    and block not in sent:
                turn.append((t - prev[0]) * 1e6)
            sent.add(block)
        prev = p
    if start is None or end is None or end <= start:
        print('no complete transfer in the capture')
        sys.exit(1)
    secs = end - start
    print('%.2f MiB/s %.3f s turnaround_us p50 %.0f p99 %.0f data_packets %d' % (
        size / secs / 1048576, secs, pct(turn, 50), pct(turn, 99), data_packets))


main()
