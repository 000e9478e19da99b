"""Speed of the streaming SDPA simulators, and their cycles against the authors' DAM outputs.

    python benchmarks/bench_streaming.py                 # N = 512, 1024, 4096 on the fast kernel
    python benchmarks/bench_streaming.py --n 16384 32768 # the long ones
    python benchmarks/bench_streaming.py --simpy 64 128  # events/s of the SimPy reference

Reports wall and CPU seconds, unit firings per CPU second (one firing = one element
through one unit) and, for SimPy, processed events per second. Reference cycles:
../shared/reference/streaming_sdpa.md §5 ([SAD] committed outputs).
"""

from __future__ import annotations

import argparse
import time

import arch
import workloads
from sim.streaming.engine import simulate_events
from sim.streaming.lowering import lower
from sim.streaming.timing import simulate_timing

REFERENCE = {
    "sdpa_naive": {512: 525_364, 1024: 2_099_252, 4096: 33_562_676, 16384: 536_903_732},
    "sdpa_reordered": {512: 524_334, 1024: 2_097_198, 16384: 536_870_958, 32768: 2_147_483_694},
}


def _pipeline(name: str, n: int):
    return lower(arch.load_arch("streaming_sdpa"), workloads.load_workload(name, {"N": n}))


def bench_fast(names, ns) -> None:
    simulate_timing(_pipeline(names[0], 4))
    print("| workload | N | cycles | DAM reference | match | wall s | CPU s | firings | M firings / CPU s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in names:
        for n in ns:
            p = _pipeline(name, n)
            wall, cpu = time.perf_counter(), time.process_time()
            run = simulate_timing(p)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            ref = REFERENCE.get(name, {}).get(n)
            match = "-" if ref is None else ("yes" if ref == run.cycles else "NO")
            print(f"| {name} | {n} | {run.cycles:,} | {'' if ref is None else f'{ref:,}'} | {match} | "
                  f"{wall:.2f} | {cpu:.2f} | {run.events:,} | {run.events / cpu / 1e6:.1f} |", flush=True)


def bench_simpy(names, ns) -> None:
    print("| workload | N | cycles | SimPy events | wall s | events / s | same cycles as kernel |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        for n in ns:
            p = _pipeline(name, n)
            wall = time.perf_counter()
            run = simulate_events(p)
            wall = time.perf_counter() - wall
            same = run.cycles == simulate_timing(p).cycles
            print(f"| {name} | {n} | {run.cycles:,} | {run.events:,} | {wall:.2f} | {run.events / wall:,.0f} | "
                  f"{same} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[512, 1024, 4096])
    parser.add_argument("--workload", action="append")
    parser.add_argument("--simpy", type=int, nargs="*", help="also time the SimPy reference at these N")
    args = parser.parse_args()
    names = args.workload or ["sdpa_naive", "sdpa_reordered"]
    bench_fast(names, args.n)
    if args.simpy:
        print()
        bench_simpy(names, args.simpy)


if __name__ == "__main__":
    main()
