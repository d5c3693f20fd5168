#!/usr/bin/env python3
"""Writes tiny random DistilBERT and ELECTRA checkpoints in HuggingFace layout, with the outputs that HF's eager
DistilBertModel / ElectraModel math gives for fixed inputs (tests/PhaseTune.Tests/Fixtures/tiny-distilbert,
tiny-electra).

The forward passes below re-state HF's modeling_distilbert / modeling_electra eager path in plain torch (eval mode,
no dropout), following ../shared/tools/make_reference_fixtures.py:
  DistilBERT: word + position embeddings (positions 0..T-1, no token types) -> LayerNorm(eps 1e-12) -> N x
    [q_lin/k_lin/v_lin, scores q/sqrt(d)·kᵀ with padded keys filled with finfo.min, softmax, out_lin,
    sa_layer_norm(x + attention), ffn lin1 -> activation -> lin2, output_layer_norm(sa + ffn)]; the masked-LM head
    vocab_transform -> activation -> vocab_layer_norm -> vocab_projector (weight tied to the word embeddings).
  ELECTRA discriminator: word + position + token type embeddings of width embedding_size -> LayerNorm -> when
    embedding_size != hidden_size, embeddings_project (Linear) -> BERT's encoder (additive mask (1-mask)·finfo.min,
    post-LN blocks, erf-GELU); no pooler.
Weights are float32 safetensors under HF's keys, as the task models HF publishes these architectures as store them:
DistilBertForMaskedLM (`distilbert.` prefix, `vocab_transform`, `vocab_layer_norm`, `vocab_projector.bias`; the tied
`vocab_projector.weight` not stored) and ElectraForPreTraining (`electra.` prefix, unused
`discriminator_predictions.*`). The vocabulary is the first 4,000 entries of bert-base-uncased's vocab.txt (special
tokens, characters and the most frequent words), which keeps the fixtures small; the inputs are tokenized here with
BERT's uncased WordPiece (basic split on whitespace and punctuation, greedy longest match with ## continuations).

Needs only PyTorch (Debian's python3-torch): /usr/bin/python3 tools/make_arch_fixtures.py [OUTDIR]
"""
import json, math, os, struct, sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
VOCAB = os.path.join(REPO, "..", "shared", "models", "bert-base-uncased", "vocab.txt")
VOCAB_SIZE = 4000

TEXTS = ["how are you doing?", "the team won the final match tonight, and the fans were happy.", "hello",
         "it was a good day"]
PAIR = ("is this a question?", "yes, it is.")


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        b = tensors[name].contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)


def wordpiece(text, vocab):
    words, cur = [], ""
    for ch in text.lower():
        if ch.isspace() or (not ch.isalnum()):
            if cur: words.append(cur); cur = ""
            if not ch.isspace(): words.append(ch)
        else:
            cur += ch
    if cur: words.append(cur)
    ids = []
    for w in words:
        start, pieces = 0, []
        while start < len(w):
            end = len(w)
            while end > start and ((w[start:end] if start == 0 else "##" + w[start:end]) not in vocab): end -= 1
            if end == start: pieces = [vocab["[UNK]"]]; break
            pieces.append(vocab[w[start:end] if start == 0 else "##" + w[start:end]]); start = end
        ids += pieces
    return ids


def inputs(vocab, with_pair):
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    seqs = [[cls] + wordpiece(t, vocab) + [sep] for t in TEXTS]
    types = [[0] * len(s) for s in seqs]
    if with_pair:
        a, b = wordpiece(PAIR[0], vocab), wordpiece(PAIR[1], vocab)
        seqs.append([cls] + a + [sep] + b + [sep]); types.append([0] * (len(a) + 2) + [1] * (len(b) + 1))
    t = max(len(s) for s in seqs)
    ids = torch.tensor([s + [0] * (t - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (t - len(s)) for s in seqs])
    ty = torch.tensor([y + [0] * (t - len(y)) for y in types])
    return ids, mask, ty


def gelu(x):
    return torch.nn.functional.gelu(x)


def attention(x, mask, nh, q, k, v, o, scale_queries):
    b, t, h = x.shape
    split = lambda y: y.view(b, t, nh, h // nh).transpose(1, 2)  # (B, nh, T, hs)
    qh, kh, vh = split(q(x)), split(k(x)), split(v(x))
    if scale_queries:  # DistilBERT: q / sqrt(d), then masked_fill of padded keys
        s = (qh / math.sqrt(h // nh)) @ kh.transpose(2, 3)
        s = s.masked_fill((mask == 0).view(b, 1, 1, t).expand_as(s), torch.finfo(s.dtype).min)
    else:  # BERT / ELECTRA: scores / sqrt(d) + additive mask
        s = (qh @ kh.transpose(-1, -2)) / math.sqrt(h // nh) + (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    return o((s.softmax(-1) @ vh).transpose(1, 2).reshape(b, t, h))


def distilbert(out, vocab, tokens):
    c = {"activation": "gelu", "architectures": ["DistilBertForMaskedLM"], "attention_dropout": 0.1, "dim": 32,
         "dropout": 0.1, "hidden_dim": 64, "initializer_range": 0.02, "max_position_embeddings": 64,
         "model_type": "distilbert", "n_heads": 4, "n_layers": 2, "pad_token_id": 0, "qa_dropout": 0.1,
         "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": False, "tie_weights_": True,
         "transformers_version": "4.36.2", "vocab_size": VOCAB_SIZE}
    g = torch.Generator().manual_seed(2024)
    h, i, std = c["dim"], c["hidden_dim"], 0.2
    r = lambda *s: torch.randn(*s, generator=g) * std
    w = {"embeddings.word_embeddings.weight": r(VOCAB_SIZE, h), "embeddings.position_embeddings.weight": r(64, h),
         "embeddings.LayerNorm.weight": 1 + r(h), "embeddings.LayerNorm.bias": r(h)}
    for l in range(c["n_layers"]):
        p = f"transformer.layer.{l}."
        for n in ("q_lin", "k_lin", "v_lin", "out_lin"):
            w[p + "attention." + n + ".weight"], w[p + "attention." + n + ".bias"] = r(h, h), r(h)
        w[p + "ffn.lin1.weight"], w[p + "ffn.lin1.bias"] = r(i, h), r(i)
        w[p + "ffn.lin2.weight"], w[p + "ffn.lin2.bias"] = r(h, i), r(h)
        for n in ("sa_layer_norm", "output_layer_norm"):
            w[p + n + ".weight"], w[p + n + ".bias"] = 1 + r(h), r(h)
    head = {"vocab_transform.weight": r(h, h), "vocab_transform.bias": r(h),
            "vocab_layer_norm.weight": 1 + r(h), "vocab_layer_norm.bias": r(h), "vocab_projector.bias": r(VOCAB_SIZE)}

    ln = lambda x, p: torch.nn.functional.layer_norm(x, (h,), w[p + ".weight"], w[p + ".bias"], 1e-12)
    lin = lambda p: (lambda x: x @ w[p + ".weight"].T + w[p + ".bias"])
    ids, mask, _ = tokens
    x = ln(w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][torch.arange(ids.shape[1])],
           "embeddings.LayerNorm")
    for l in range(c["n_layers"]):
        p = f"transformer.layer.{l}."
        a = attention(x, mask, c["n_heads"], *(lin(p + "attention." + n) for n in ("q_lin", "k_lin", "v_lin", "out_lin")), True)
        sa = ln(a + x, p + "sa_layer_norm")
        x = ln(lin(p + "ffn.lin2")(gelu(lin(p + "ffn.lin1")(sa))) + sa, p + "output_layer_norm")
    t = gelu(x @ head["vocab_transform.weight"].T + head["vocab_transform.bias"])
    t = torch.nn.functional.layer_norm(t, (h,), head["vocab_layer_norm.weight"], head["vocab_layer_norm.bias"], 1e-12)
    logits = t @ w["embeddings.word_embeddings.weight"].T + head["vocab_projector.bias"]   # (B, T, V)
    saved = {"distilbert." + k: v for k, v in w.items()}
    saved.update(head)
    top = logits[0].topk(5, dim=-1)
    mlm = {"mlm_row0_logsumexp": [round(v, 6) for v in logits[0].logsumexp(-1).tolist()],
           "mlm_row0_top5_ids": top.indices.tolist(),
           "mlm_row0_top5_logits": [[round(v, 6) for v in row] for row in top.values.tolist()]}
    write(out, "tiny-distilbert", c, saved, tokens, x, mlm, "DistilBertTokenizer")


def electra(out, vocab, tokens):
    c = {"architectures": ["ElectraForPreTraining"], "attention_probs_dropout_prob": 0.1, "embedding_size": 16,
         "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 32, "initializer_range": 0.02,
         "intermediate_size": 64, "layer_norm_eps": 1e-12, "max_position_embeddings": 64, "model_type": "electra",
         "num_attention_heads": 4, "num_hidden_layers": 2, "pad_token_id": 0, "position_embedding_type": "absolute",
         "summary_activation": "gelu", "summary_last_dropout": 0.1, "summary_type": "first", "summary_use_proj": True,
         "transformers_version": "4.36.2", "type_vocab_size": 2, "use_cache": True, "vocab_size": VOCAB_SIZE}
    g = torch.Generator().manual_seed(4048)
    e, h, i, std = c["embedding_size"], c["hidden_size"], c["intermediate_size"], 0.2
    r = lambda *s: torch.randn(*s, generator=g) * std
    w = {"embeddings.word_embeddings.weight": r(VOCAB_SIZE, e), "embeddings.position_embeddings.weight": r(64, e),
         "embeddings.token_type_embeddings.weight": r(2, e),
         "embeddings.LayerNorm.weight": 1 + r(e), "embeddings.LayerNorm.bias": r(e),
         "embeddings_project.weight": r(h, e), "embeddings_project.bias": r(h)}
    for l in range(c["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        for n in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            w[p + n + ".weight"], w[p + n + ".bias"] = r(h, h), r(h)
        w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"] = r(i, h), r(i)
        w[p + "output.dense.weight"], w[p + "output.dense.bias"] = r(h, i), r(h)
        for n in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + n + ".weight"], w[p + n + ".bias"] = 1 + r(h), r(h)
    unused = {"discriminator_predictions.dense.weight": r(h, h), "discriminator_predictions.dense.bias": r(h),
              "discriminator_predictions.dense_prediction.weight": r(1, h), "discriminator_predictions.dense_prediction.bias": r(1)}

    ln = lambda x, p, n: torch.nn.functional.layer_norm(x, (n,), w[p + ".weight"], w[p + ".bias"], c["layer_norm_eps"])
    lin = lambda p: (lambda x: x @ w[p + ".weight"].T + w[p + ".bias"])
    ids, mask, types = tokens
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][torch.arange(ids.shape[1])] \
        + w["embeddings.token_type_embeddings.weight"][types]
    x = lin("embeddings_project")(ln(x, "embeddings.LayerNorm", e))
    for l in range(c["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        a = attention(x, mask, c["num_attention_heads"], *(lin(p + n) for n in
                      ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")), False)
        x = ln(x + a, p + "attention.output.LayerNorm", h)
        x = ln(x + lin(p + "output.dense")(gelu(lin(p + "intermediate.dense")(x))), p + "output.LayerNorm", h)
    saved = {"electra." + k: v for k, v in w.items()}
    saved.update(unused)
    write(out, "tiny-electra", c, saved, tokens, x, {}, "ElectraTokenizer")


def write(out, name, config, saved, tokens, x, extra, tokenizer_class):
    d = os.path.join(out, name); os.makedirs(d, exist_ok=True)
    write_safetensors(os.path.join(d, "model.safetensors"), saved)
    with open(os.path.join(d, "config.json"), "w") as f: json.dump(config, f, indent=2, sort_keys=True)
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": True, "model_max_length": 64, "tokenizer_class": tokenizer_class}, f, indent=2)
    with open(VOCAB, encoding="utf-8") as src, open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as dst:
        dst.writelines(src.readlines()[:VOCAB_SIZE])
    ids, mask, types = tokens
    m = mask.unsqueeze(-1).float()
    rnd = lambda t: [[round(v, 6) for v in row] for row in t.tolist()]
    ref = {"note": "eval-mode outputs of HF eager math for model.safetensors; compare with atol 1e-4",
           "texts": TEXTS + ([list(PAIR)] if len(ids) > len(TEXTS) else []),
           "input_ids": ids.tolist(), "attention_mask": mask.tolist(), "token_type_ids": types.tolist(),
           "last_hidden_state": [rnd(s) for s in x],
           "cls_pooled": rnd(x[:, 0]),
           "mean_pooled": rnd((x * m).sum(1) / m.sum(1).clamp(min=1e-9))}
    ref.update(extra)
    with open(os.path.join(d, "reference.json"), "w") as f: json.dump(ref, f)
    print("wrote", d)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "tests", "PhaseTune.Tests", "Fixtures")
    with open(VOCAB, encoding="utf-8") as f:
        vocab = {t.rstrip("\n"): k for k, t in enumerate(f) if k < VOCAB_SIZE}
    with torch.no_grad():
        distilbert(out, vocab, inputs(vocab, with_pair=False))
        electra(out, vocab, inputs(vocab, with_pair=True))


if __name__ == "__main__":
    main()
