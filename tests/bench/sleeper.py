"""A training script that reports once, then sleeps: the tuner waiting on it
must use no CPU."""
import json
import sys
import time

print("[tune-metric]: " + json.dumps({"epoch": 1, "loss": 1.0,
      "st_worker_timestamp": time.time()}), flush=True)
time.sleep(float(sys.argv[sys.argv.index("--sleep") + 1]) if "--sleep" in sys.argv else 5.0)
