#!/usr/bin/python3
"""Write a Syne Tune experiment folder as Syne Tune 0.13 / pandas 2 leave it,
without needing pandas: metadata.json via json.dump (as
syne_tune.util.dump_json_with_numpy), results.csv.zip as
DataFrame(results).to_csv("results.csv.zip", index=False) writes it: a zip
with one deflated member "results.csv".

The CSV text below follows pandas' dtype rules by hand: a column of ints
with a missing cell becomes float64, so pandas writes 5.0 and not 5
("config_warmup"); NaN is an empty field; floats are repr()s.
Run from this folder: ./make_fixture.py
"""
import json
import os
import zipfile

NAME = "odsc-1-transformer-wikitext2-0-2023-06-01-12-30-45-123"

metadata = {
    "seed": 0, "algorithm": "ASHA", "tag": "odsc-1",
    "benchmark": "transformer_wikitext2", "random_seed": 2938702734,
    "n_workers": 4, "max_wallclock_time": 18000,
    "instance_type": "ml.g4dn.12xlarge", "num_gpus_per_trial": 1,
    "st_tuner_creation_timestamp": 1685622645.1234567,
    "entrypoint": "training_script", "backend": "LocalBackend",
    "metric_names": ["val_loss"], "metric_mode": "min",
    "scheduler_name": "HyperbandScheduler",
    "config_space": json.dumps({"lr": {"domain_cls": "FiniteRange"}}),
    "st_tuner_start_timestamp": 1685622645.3,
}

CSV = (
    "epoch,val_loss,st_worker_timestamp,st_worker_time,st_worker_iter,"
    "st_decision,st_status,trial_id,config_lr,config_batch_size,"
    "config_optimizer,config_warmup,st_tuner_time,extra_note\n"
    "1,6.25,1685622650.123,4.5,0,CONTINUE,InProgress,0,0.001,32,adam,,4.71,\n"
    "1,7.5,1685622651.0,5.25,0,STOP,InProgress,1,1e-05,64,sgd,5.0,5.6,\n"
    "2,5.125,1685622655.5,9.875,1,CONTINUE,InProgress,0,0.001,32,adam,,9.99,"
    "\"restarted, from \"\"ckpt\"\"\"\n"
    "3,,1685622660.0,14.0,2,CONTINUE,Completed,0,0.001,32,adam,,15.02,\n"
)

os.makedirs(NAME, exist_ok=True)
with open(os.path.join(NAME, "metadata.json"), "w") as f:
    json.dump(metadata, f)
with zipfile.ZipFile(os.path.join(NAME, "results.csv.zip"), "w",
                     compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr("results.csv", CSV)
