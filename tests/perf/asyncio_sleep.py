# asyncio_sleep.py N MAX_MS [SEED] - the reference for `bench run sleep --mode async --workers N`: N tasks, each an asyncio.sleep of a random 0..MAX_MS ms, gathered; the waits are drawn before the clock starts. Prints: wall ms, longest wait ms, peak RSS KB.
import asyncio, random, resource, sys, time
n, max_ms = int(sys.argv[1]), int(sys.argv[2])
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
waits = [random.randint(0, max_ms) / 1000 for _ in range(n)]
async def main(): await asyncio.gather(*(asyncio.sleep(w) for w in waits))
t0 = time.perf_counter()
asyncio.run(main())
wall = time.perf_counter() - t0
print(f"{wall * 1000:.1f} {max(waits) * 1000:.0f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
