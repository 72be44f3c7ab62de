"""Report metrics to hpolab (or Syne Tune) from a Python training script.

Standard library only: copy this file next to your script, or put
tools/python on sys.path.

    from hpolab_reporter import Reporter, load_checkpoint, save_checkpoint

    report = Reporter()
    start, state = load_checkpoint(args.st_checkpoint_dir)   # (0, None) at first
    for epoch in range(start + 1, args.epochs + 1):
        ...
        report(epoch=epoch, val_loss=loss)
        save_checkpoint(args.st_checkpoint_dir, epoch, {"weights": w})

Each call of a Reporter prints one line to stdout and flushes it, exactly as
Syne Tune's Reporter does:

    [tune-metric]: {"epoch": 1, "val_loss": 6.12, "st_worker_timestamp": 1700000123.456, "st_worker_time": 41.7, "st_worker_iter": 0}

the keyword arguments in call order, then st_worker_timestamp (time.time()),
st_worker_time (time.monotonic() seconds since the Reporter was created; left
out with add_time=False) and st_worker_iter (0, 1, 2, ...). Unlike Syne
Tune's, the counter also works with add_time=False.

Refused with ValueError, before anything is printed: a None value, a key
starting with "st_" (reserved), a line of 50 000 bytes or more; a value json
cannot encode raises TypeError. Numpy scalars and arrays (anything with
.item() or .tolist()) are converted to plain numbers and lists.
"""

import json
import os
import sys
import time

TAG = "[tune-metric]: "
LINE_MAX = 50000
CHECKPOINT_FILE = "checkpoint.json"


def _plain(value):
    """json's default= hook: numpy-like scalars and arrays to plain values."""
    if hasattr(value, "item") and callable(value.item):
        try:
            return value.item()
        except (TypeError, ValueError):
            pass
    if hasattr(value, "tolist") and callable(value.tolist):
        return value.tolist()
    raise TypeError(
        f"Object of type {type(value).__name__} is not JSON serializable")


class Reporter:
    """Callable that prints one [tune-metric] line per call."""

    def __init__(self, add_time=True, out=None):
        self.add_time = add_time
        self.out = out  # None: sys.stdout at the time of each call
        self.start = time.monotonic()
        self.iter = 0

    def format(self, **kwargs):
        """The line (without newline) that __call__ would print next."""
        for key, value in kwargs.items():
            if key.startswith("st_"):
                raise ValueError(
                    f"{key}: keys starting with 'st_' are reserved for the "
                    "reporter")
            if value is None:
                raise ValueError(f"{key}: None cannot be reported")
        record = dict(kwargs)
        record["st_worker_timestamp"] = time.time()
        if self.add_time:
            record["st_worker_time"] = time.monotonic() - self.start
        record["st_worker_iter"] = self.iter
        line = TAG + json.dumps(record, default=_plain)
        if len(line.encode("utf-8")) + 1 >= LINE_MAX:
            raise ValueError(
                f"a report line must be shorter than {LINE_MAX} bytes, this "
                f"one has {len(line.encode('utf-8')) + 1}")
        return line

    def __call__(self, **kwargs):
        line = self.format(**kwargs)
        out = self.out if self.out is not None else sys.stdout
        out.write(line + "\n")
        out.flush()
        self.iter += 1


def save_checkpoint(checkpoint_dir, epoch, state=None):
    """Writes {"epoch": epoch, "state": state} to checkpoint_dir/checkpoint.json.

    Atomic: written to a temporary file in the same folder, synced, then
    renamed over the old checkpoint, so a trial killed at any moment leaves
    either the old or the new checkpoint. Creates checkpoint_dir. state must
    be JSON-serializable. Does nothing when checkpoint_dir is None or "".
    """
    if not checkpoint_dir:
        return
    os.makedirs(checkpoint_dir, exist_ok=True)
    path = os.path.join(checkpoint_dir, CHECKPOINT_FILE)
    tmp = path + ".tmp"
    text = json.dumps({"epoch": int(epoch), "state": state}, default=_plain)
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


def load_checkpoint(checkpoint_dir):
    """(epoch, state) from checkpoint_dir/checkpoint.json, or (0, None).

    (0, None) when checkpoint_dir is None or "", when there is no checkpoint
    and, as in Syne Tune, when it cannot be read or is not ours (a message
    goes to stderr then): the script then starts from epoch 1.
    """
    if not checkpoint_dir:
        return 0, None
    path = os.path.join(checkpoint_dir, CHECKPOINT_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return 0, None
    except (OSError, ValueError) as e:
        print(f"{path}: cannot read checkpoint ({e}); starting from epoch 1",
              file=sys.stderr)
        return 0, None
    epoch = data.get("epoch") if isinstance(data, dict) else None
    if not isinstance(epoch, int) or isinstance(epoch, bool):
        print(f"{path}: not a checkpoint (expected {{\"epoch\": <int>, "
              "\"state\": ...}}); starting from epoch 1", file=sys.stderr)
        return 0, None
    return epoch, data.get("state")
