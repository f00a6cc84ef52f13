# python_hash_course.py N [REPEAT] [SEED] - the reference for `bench run hash --engine python --mode serial`: the course's CPF hashing as the course writes it (pt-cpf-hashing): cpfs as strings, mysha() salting, peppering and hashing one CPF with hashlib, a list comprehension over the list. The CPFs and peppers are drawn before the clock starts (bench draws them in prepare, untimed). Prints the median wall seconds of REPEAT timed passes.
import hashlib, random, sys, time
n = int(sys.argv[1])
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
cpfs = [str(random.randint(1, 999_999_999)) for _ in range(n)]
peppers = [str(random.randint(1000, 9999)) for _ in range(n)]
def mysha(cpf: str, pepper: str):
    salt = 'aaaaa'
    cpf = salt + cpf + pepper
    h = hashlib.sha256(cpf.encode('utf8')).hexdigest()
    return h
times = []
for _ in range(repeat):
    t0 = time.perf_counter()
    _ = [mysha(c, p) for c, p in zip(cpfs, peppers)]
    times.append(time.perf_counter() - t0)
print(f"{sorted(times)[len(times) // 2]:.6f}")
