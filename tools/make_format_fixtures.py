#!/usr/bin/env python3
"""Writes the checkpoint-format fixtures of tests/PhaseTune.Tests/Fixtures/formats/ (issue 15).

Run from the repository root, with ../shared beside it, using Debian's python3-torch 1.13 (no transformers):

    /usr/bin/python3 tools/make_format_fixtures.py

Files written:
- tiny-bert.bin: ../shared/models/fixtures/tiny-bert's float32 weights as torch.save(state_dict) writes them
  (zip format, pickle protocol 2), keys in BertModel.state_dict() order as save_pretrained(safe_serialization=False)
  saves them, with the int64 `embeddings.position_ids` buffer that transformers < 4.31 kept in its checkpoints.
- views.bin: tensors whose values the tests know: float32 arange(12) as [3, 4] ("base"), its transpose and a
  [2, 2] slice at storage offset 5 (both sharing base's storage), a stride-0 broadcast, float16 and bfloat16 values,
  int64 arange(5), a torch.nn.Parameter (pickled through _rebuild_parameter), in an OrderedDict with a
  state_dict()-style `_metadata` (pickled through BUILD).
- views-sharded/: views.bin's tensors in pytorch_model-0000{1,2}-of-00002.bin + pytorch_model.bin.index.json, each
  shard a plain dict as sharded saves pickle it.
- legacy.bin: a small state dict in torch's pre-1.6 (non-zip) format, which PhaseTune refuses with advice.
  (Its storage keys come from object ids, so it alone differs between runs.)
- evil-system.bin: a torch-style zip whose data.pkl (protocol 2) would call os.system under Python's pickle;
  evil-exec.pkl: a bare protocol-2 pickle that would call builtins.exec; evil-late.bin: a real state dict whose
  second value would call os.system. Each payload would create /tmp/phasetune-pickle-payload-ran. They are only
  written (pickle.dumps calls __reduce__, which builds a tuple and runs nothing); never load them.
"""
import io, json, os, pickle, struct, zipfile
from collections import OrderedDict

import numpy
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(ROOT, "..", "shared", "models", "fixtures", "tiny-bert")
OUT = os.path.join(ROOT, "tests", "PhaseTune.Tests", "Fixtures", "formats")
MARKER = "/tmp/phasetune-pickle-payload-ran"


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    types = {"F32": numpy.float32, "I64": numpy.int64}
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        out[name] = torch.from_numpy(numpy.frombuffer(blob[8 + n + a:8 + n + b], types[e["dtype"]]).copy()).reshape(e["shape"])
    return out


def bert_order(c):
    keys = ["embeddings.position_ids"]
    keys += [f"embeddings.{m}.weight" for m in ("word_embeddings", "position_embeddings", "token_type_embeddings")]
    keys += ["embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"]
    for i in range(c["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for m in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                  "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"):
            keys += [p + m + ".weight", p + m + ".bias"]
    return keys + ["pooler.dense.weight", "pooler.dense.bias"]


def tiny_bert_bin():
    with open(os.path.join(TINY, "config.json")) as f:
        config = json.load(f)
    weights = read_safetensors(os.path.join(TINY, "model.safetensors"))
    weights["embeddings.position_ids"] = torch.arange(config["max_position_embeddings"]).expand((1, -1))
    order = bert_order(config)
    assert sorted(order) == sorted(weights), set(order) ^ set(weights)
    state = OrderedDict((k, weights[k]) for k in order)
    state._metadata = OrderedDict()   # state_dict() carries one; torch pickles it through BUILD
    torch.save(state, os.path.join(OUT, "tiny-bert.bin"))


def views():
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    return OrderedDict({
        "base": base,
        "transposed": base.t(),
        "slice": base[1:, 1:3],
        "broadcast": torch.tensor([7.0]).expand(3),
        "half": torch.tensor([0.5, -1.25, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -2.5, 3.0e38], dtype=torch.bfloat16),
        "long": torch.arange(5),
        "param": torch.nn.Parameter(torch.tensor([[1.5, -0.5]])),
    })


def views_with_metadata():
    state = views()
    state._metadata = OrderedDict([("", {"version": 1}), ("encoder", {"version": 1})])   # as nn.Module.state_dict() sets it
    return state


def views_sharded():
    d = os.path.join(OUT, "views-sharded")
    os.makedirs(d, exist_ok=True)
    t = views()
    shards = {"pytorch_model-00001-of-00002.bin": ["base", "transposed", "slice", "half"],
              "pytorch_model-00002-of-00002.bin": ["broadcast", "bf16", "long", "param"]}
    weight_map, total = {}, 0
    for file, keys in shards.items():
        torch.save({k: t[k] for k in keys}, os.path.join(d, file))
        for k in keys:
            weight_map[k] = file
            total += t[k].numel() * t[k].element_size()
    with open(os.path.join(d, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
        f.write("\n")


class Payload:
    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return self.fn, (self.arg,)


def torch_zip(path, pickled, storages=()):
    entries = [("archive/data.pkl", pickled)] + [(f"archive/data/{k}", d) for k, d in storages] + [("archive/version", b"3\n")]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)   # fixed time: reruns give the same bytes


def evil():
    torch_zip(os.path.join(OUT, "evil-system.bin"), pickle.dumps(Payload(os.system, f"touch {MARKER}"), protocol=2))
    with open(os.path.join(OUT, "evil-exec.pkl"), "wb") as f:
        f.write(pickle.dumps(Payload(exec, f"open('{MARKER}', 'w').close()"), protocol=2))
    # a genuine tensor first, so the refusal has to happen in the middle of a state dict
    buf = io.BytesIO()
    StatePickler(buf, protocol=2).dump(OrderedDict([("ok", TensorOnStorage0()), ("bad", Payload(os.system, f"touch {MARKER}"))]))
    torch_zip(os.path.join(OUT, "evil-late.bin"), buf.getvalue(), [("0", numpy.ones(2, numpy.float32).tobytes())])


class Storage0:
    pass


class TensorOnStorage0:
    def __reduce__(self):
        return torch._utils._rebuild_tensor_v2, (Storage0(), 0, (2,), (1,), False, OrderedDict())


class StatePickler(pickle.Pickler):
    """Pickles storages as torch.save does: a persistent id ('storage', type, key, location, numel)."""
    def persistent_id(self, obj):
        return ("storage", torch.FloatStorage, "0", "cpu", 2) if isinstance(obj, Storage0) else None


def legacy():
    torch.save({"w": torch.arange(4, dtype=torch.float32)}, os.path.join(OUT, "legacy.bin"), _use_new_zipfile_serialization=False)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    tiny_bert_bin()
    torch.save(views_with_metadata(), os.path.join(OUT, "views.bin"))
    views_sharded()
    legacy()
    evil()
