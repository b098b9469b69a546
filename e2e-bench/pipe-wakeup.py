#!/usr/bin/env python3
# The operating system's share of publish -> consumer (docs/benchmarks.md, End to end): pipe wake-up latency
# between two processes, nothing else. Usage: /usr/bin/python3 e2e-bench/pipe-wakeup.py [frames, default 750].
# Pipe wake-up latency between two processes: the writer sends its CLOCK_MONOTONIC time every 40 ms (25/s) through a
# pipe; the reader blocks in read() and records (its time - the writer's time). 30 s.
import os, time, struct, sys
r, w = os.pipe()
n = int(sys.argv[1]) if len(sys.argv) > 1 else 750
pid = os.fork()
if pid == 0:
    os.close(r)
    for i in range(n):
        time.sleep(0.04)
        os.write(w, struct.pack('d', time.monotonic()))
    os._exit(0)
os.close(w)
lat = []
while True:
    b = os.read(r, 8)
    if not b: break
    lat.append((time.monotonic() - struct.unpack('d', b)[0]) * 1e6)
lat.sort()
q = lambda p: lat[min(len(lat)-1, int(p*len(lat)))]
print(f"n={len(lat)} p50={q(.5):.0f}us p90={q(.9):.0f}us p99={q(.99):.0f}us max={lat[-1]:.0f}us >1ms={sum(1 for x in lat if x>1000)/len(lat)*100:.1f}%")
