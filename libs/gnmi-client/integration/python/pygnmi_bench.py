"""pygnmi side of the gnmi-client vs pygnmi benchmark (bench/gnmi-vs-pygnmi.ts).

Reads a JSON job on stdin, runs the same calls the TypeScript side runs, and
prints one JSON document of figures. Credentials come from the environment.
"""

import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from pygnmi.client import gNMIclient


def connect(address):
    host, port = address.rsplit(":", 1)
    client = gNMIclient(
        target=(host, int(port)),
        username=os.environ["GNMI_USERNAME"],
        password=os.environ["GNMI_PASSWORD"],
        insecure=True,
        gnmi_timeout=10,
    )
    client.connect()
    return client


def summarise(samples_s):
    ms = sorted(s * 1000 for s in samples_s)
    return {
        "n": len(ms),
        "mean_ms": statistics.fmean(ms),
        "p50_ms": ms[len(ms) // 2],
        "p95_ms": ms[min(len(ms) - 1, int(len(ms) * 0.95))],
    }


def main():
    job = json.load(sys.stdin)
    get_path = job["getPath"]
    set_path = job["setPath"]

    client = connect(job["devices"][0])
    for _ in range(job["warmup"]):
        client.get(path=[get_path], datatype="config", encoding="json_ietf")

    get_samples = []
    for _ in range(job["sequentialGets"]):
        start = time.perf_counter()
        client.get(path=[get_path], datatype="config", encoding="json_ietf")
        get_samples.append(time.perf_counter() - start)

    set_samples = []
    for i in range(job["sequentialSets"]):
        start = time.perf_counter()
        # A dict, not a bare string: pygnmi sends a str value unquoted, which is not JSON.
        client.set(update=[(set_path, {"description": f"bench {i}"})], encoding="json_ietf")
        set_samples.append(time.perf_counter() - start)
    client.close()

    # Throughput: one client per device (as an operator's script would), a
    # thread pool of `concurrency` workers spreading Gets over every device.
    clients = {address: connect(address) for address in job["devices"]}
    addresses = [job["devices"][i % len(job["devices"])] for i in range(job["throughputGets"])]

    def one_get(address):
        clients[address].get(path=[get_path], datatype="config", encoding="json_ietf")

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=job["concurrency"]) as pool:
        list(pool.map(one_get, addresses))
    elapsed = time.perf_counter() - start
    for c in clients.values():
        c.close()

    print(
        json.dumps(
            {
                "get": summarise(get_samples),
                "set": summarise(set_samples),
                "throughput": {"gets": len(addresses), "seconds": elapsed, "gets_per_s": len(addresses) / elapsed},
            }
        )
    )


if __name__ == "__main__":
    main()
