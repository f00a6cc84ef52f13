"""python3 -m bench_py serve    the protocol bench speaks (server.py)
python3 -m bench_py sample '{"workload": "hash", ...}'   one sample, by hand
python3 -m bench_py about      this interpreter, as bench records it"""
import json
import sys

from . import server


def main(argv):
    if argv[:1] == ["serve"]:
        return server.serve()
    if argv[:1] == ["about"]:
        print(json.dumps(server.about()))
        return 0
    if len(argv) == 2 and argv[0] in ("sample", "show"):
        req = json.loads(argv[1])
        req["op"] = argv[0]
        ans = server.sample(req) if argv[0] == "sample" else server.show(req)
        print(json.dumps(ans))
        return 0
    sys.stderr.write(__doc__ + "\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
