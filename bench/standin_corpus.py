#!/usr/bin/env python3
"""Writes the stand-in's pre-training corpus for PhaseTune: exactly the texts ../shared/tools/pretrain_standin.py
trains on (train splits of every shared data set + imdb unsup, every dev/test text removed, duplicates dropped,
"<br />" -> " "), shuffled with the script's seed, the first 2,000 held out for a dev MLM loss.
Usage: /usr/bin/python3 bench/standin_corpus.py OUT_DIR   (writes OUT_DIR/train.jsonl and OUT_DIR/dev.jsonl)"""
import json, os, random, sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "shared", "tools"))
from pretrain_standin import corpus  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
texts, n_train, n_held = corpus()
texts = [t for t in texts if t.strip()]
random.Random(41).shuffle(texts)
for name, part in (("dev", texts[:2000]), ("train", texts[2000:])):
    tmp = os.path.join(out, name + ".jsonl.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for t in part:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    os.replace(tmp, os.path.join(out, name + ".jsonl"))
print(f"{len(texts)} texts ({n_train} train rows, {n_held} dev/test texts excluded): {len(texts) - 2000} train, 2000 dev")
