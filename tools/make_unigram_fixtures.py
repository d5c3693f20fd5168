#!/usr/bin/env python3
"""Writes tests/PhaseTune.Tests/Fixtures/tiny-xlmr-tokenizer (and tiny-xlmr beside it): a small SentencePiece Unigram
model in XLM-RoBERTa's layout, the tokenizer.json HF's fast XLM-R tokenizer would hold for it, and reference ids
from sentencepiece itself.

How it was run (Debian 12, python3-sentencepiece 0.1.97 and python3-torch from apt, no `transformers`):
    apt-get install -y python3-sentencepiece
    /usr/bin/python3 tools/make_unigram_fixtures.py [OUTDIR]     # OUTDIR defaults to tests/PhaseTune.Tests/Fixtures

1. Trains a 4,000-piece Unigram model with sentencepiece (nmt_nfkc normalization, full character coverage, one
   thread, no shuffling, so the run is repeatable) on *training* texts only: massive_en, sst2, agnews' train subset and
   the first 2,000 imdb training reviews from ../shared/datasets. Its pieces are <unk>=0, <s>=1, </s>=2 and then the
   normal pieces, as XLM-R's sentencepiece.bpe.model has them.
2. Writes the .model as sentencepiece.bpe.model and builds tokenizer.json as transformers' XLMRobertaConverter
   (SpmConverter) does: vocab [piece, score] with the fairseq specials <s>, <pad>, </s>, <unk> (score 0) first, the
   model's pieces 3.. after them, <mask> last; unk_id 3; normalizer Sequence[Precompiled(the model's
   normalizer_spec.precompiled_charsmap, base64), Replace(" {2,}" -> " ")]; pre-tokenizer Metaspace("▁", prepend
   always); TemplateProcessing `<s> $A </s>` / `<s> $A </s> </s> $B </s>`; the five specials as added tokens
   (<mask> with lstrip, as XLMRobertaTokenizerFast declares it).
3. Records reference.json: for each text (and pair), the ids XLM-R's slow tokenizer gives, computed from
   sentencepiece's own encoding: split the text on the special tokens first (<mask> also takes the spaces before
   it), encode each plain span with sentencepiece, map spm id i to i + 1 (the fairseq offset) and spm's <unk> (0) to
   3, then add <s> ... </s> (</s></s> between a pair). The pieces (sentencepiece's, unknown runs merged as it
   merges them) are kept too.
4. tiny-xlmr/: a random 2-layer checkpoint in XLMRobertaForMaskedLM's key layout (roberta.*, lm_head.*) with an
   xlm-roberta config.json and only sentencepiece.bpe.model for its tokenizer, to check that such a folder loads and
   embeds.
"""
import base64, gzip, io, json, os, struct, sys

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.join(REPO, "..", "shared", "datasets")
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]


def training_texts():
    def jsonl(path, limit=None):
        op = gzip.open if path.endswith(".gz") else open
        with op(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f):
                if limit is not None and n >= limit:
                    return
                yield json.loads(line)["text"]
    yield from jsonl(os.path.join(DATA, "massive_en", "train.jsonl"))
    yield from jsonl(os.path.join(DATA, "sst2", "train.jsonl"))
    yield from jsonl(os.path.join(DATA, "agnews", "train_subset.jsonl"))
    yield from jsonl(os.path.join(DATA, "imdb", "train.jsonl.gz"), limit=2000)


def train():
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=training_texts(), model_writer=model, model_type="unigram", vocab_size=4000,
        normalization_rule_name="nmt_nfkc", character_coverage=1.0, num_threads=1, shuffle_input_sentence=False,
        input_sentence_size=0, max_sentence_length=20000, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        minloglevel=2)
    return model.getvalue()


def tokenizer_json(proto):
    vocab = [[t, 0.0] for t in SPECIALS] + [[p.piece, p.score] for p in proto.pieces[3:]] + [["<mask>", 0.0]]
    mask_id = len(vocab) - 1

    def added(content, id, lstrip=False):
        return {"id": id, "content": content, "single_word": False, "lstrip": lstrip, "rstrip": False,
                "normalized": False, "special": True}

    def special(t, id):
        return {"id": t, "ids": [id], "tokens": [t]}

    s = lambda t: {"SpecialToken": {"id": t, "type_id": 0}}
    seq = lambda x: {"Sequence": {"id": x, "type_id": 0}}
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added(t, i) for i, t in enumerate(SPECIALS)] + [added("<mask>", mask_id, lstrip=True)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled",
             "precompiled_charsmap": base64.b64encode(proto.normalizer_spec.precompiled_charsmap).decode()},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": metaspace,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [s("<s>"), seq("A"), s("</s>")],
                           "pair": [s("<s>"), seq("A"), s("</s>"), s("</s>"), seq("B"), s("</s>")],
                           "special_tokens": {"<s>": special("<s>", 0), "</s>": special("</s>", 2)}},
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False},
    }, mask_id


CASES = [
    # plain text, shaped like the training data
    "wake me up at nine am on friday", "what's the weather like in new york tomorrow",
    "a gorgeous , witty , seductive movie .", "Wall St. Bears Claw Back Into the Black (Reuters)",
    # accents, composed and decomposed (nmt_nfkc composes)
    "café crème brûlée", "naïve façade, señor", "cafe\u0301 re\u0301sume\u0301", "Ångström Øre Ærø", "Ça va? Où ça?",
    "Zoë's piñata", "Straße", "İstanbul", "a\u0308o\u0308u\u0308",
    # full-width, ligatures and other compatibility characters (NFKC)
    "ＡＢＣ　ｄｅｆ　１２３", "ｈｅｌｌｏ，ｗｏｒｌｄ！", "ﬁnance ﬂow ﬀ ﬃ", "Ⅻ ⅳ ① ② ⑳", "½ ¼ x² H₂O", "㎏ ㎞ ㍻ ℃ ™",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐛𝐨𝐥𝐝", "ｶﾀｶﾅ ｱｲｳ", "…", "une part, et La Société\u202f……………….dont le siège", "¿Qué?", "«quotes» “curly” ‘single’",
    # emoji, including skin tones and ZWJ sequences
    "I love it 😀👍", "thumbs 👍🏽 up", "family 👨\u200d👩\u200d👧 time", "flags 🇫🇷🇩🇪", "❤️ and ♥", "🙂🙂🙂",
    # whitespace
    "hello     world", "  leading spaces", "trailing spaces   ", "   both   ", " ", "   ", "", "a\tb\tc",
    "line\nbreak\r\nwindows", "\n\nnewlines first", "no-break\u00a0space", "ideographic\u3000space", "thin\u2009space",
    "zero\u200bwidth", "  \t mixed \n whitespace \t ",
    # unknown characters, alone and in runs (merged into one <unk>)
    "中文字符", "ab中文cd", "Привет мир", "שלום", "مرحبا", "日本語のテキスト", "한국어", "ελληνικά", "x中y文z",
    "मराठी", "ṁḍ ẞ", "tab\u0001control\u0010chars", "soft\u00adhyphen", "\ufeffbom", "replacement \ufffd char",
    # digits, punctuation, symbols
    "1234567890", "3.14159 and 2,718", "$100 €50 £20 ¥1000", "e-mail: someone@example.com", "https://example.com/a?b=c",
    "(parentheses) [brackets] {braces}", "!!!???...", "---", "C++ & C#", "#hashtag @mention", "50% off!!!",
    # special tokens in the text
    "hello <mask> world", "<s>hi</s>", "the <mask>", "<mask> first", "a<mask>b", "<pad> <unk>", "x  <mask>  y",
    # capitals and mixed scripts
    "HELLO WORLD", "CamelCaseWord", "McDonald's iPhone", "The Quick Brown Fox Jumps Over The Lazy Dog",
]

PAIRS = [
    ("how are you", "i am fine"), ("café", "ＡＢＣ"), ("  spaced  ", "  out  "), ("", "only b"), ("only a", ""),
    ("emoji 😀", "中文"), ("hello <mask>", "<mask> world"),
]


def training_like(limit):
    """Dev-free texts for volume: every 37th line of sst2 and massive_en's training files, far past the first few."""
    out = []
    for name in ["sst2", "massive_en"]:
        with open(os.path.join(DATA, name, "train.jsonl"), encoding="utf-8") as f:
            for n, line in enumerate(f):
                if n % 37 == 5:
                    out.append(json.loads(line)["text"])
    return out[:limit]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "tests", "PhaseTune.Tests", "Fixtures")
    model = train()
    proto = pb.ModelProto()
    proto.ParseFromString(model)
    assert proto.trainer_spec.model_type == pb.TrainerSpec.UNIGRAM
    assert [p.piece for p in proto.pieces[:3]] == ["<unk>", "<s>", "</s>"]
    sp = spm.SentencePieceProcessor(model_proto=model)
    tok, mask_id = tokenizer_json(proto)

    def encode(text):
        """XLM-R's slow tokenizer on one segment: specials split out first, each plain span through sentencepiece."""
        ids, pieces, i, start = [], [], 0, 0
        specials = sorted(SPECIALS + ["<mask>"], key=len, reverse=True)

        def plain(span):
            for p in sp.encode(span, out_type="immutable_proto").pieces:
                ids.append(3 if p.id == sp.unk_id() else p.id + 1)
                pieces.append(p.piece)
        while i < len(text):
            hit = next((s for s in specials if text.startswith(s, i)), None)
            if hit is None:
                i += 1
                continue
            end = i
            if hit == "<mask>":
                while end > start and text[end - 1].isspace():
                    end -= 1
            plain(text[start:end])
            ids.append(mask_id if hit == "<mask>" else SPECIALS.index(hit))
            pieces.append(hit)
            i += len(hit)
            start = i
        plain(text[start:])
        return ids, pieces

    cases = []
    for n, text in enumerate(CASES + training_like(300)):
        ids, pieces = encode(text)
        cases.append({"id": f"single-{n}", "text": text, "ids": [0] + ids + [2], "pieces": pieces})
    for n, (a, b) in enumerate(PAIRS):
        ia, pa = encode(a)
        ib, pbb = encode(b)
        cases.append({"id": f"pair-{n}", "text": a, "text_pair": b, "ids": [0] + ia + [2, 2] + ib + [2],
                      "pieces": pa + pbb})

    folder = os.path.join(out, "tiny-xlmr-tokenizer")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "sentencepiece.bpe.model"), "wb") as f:
        f.write(model)
    dump = lambda o, name, d=folder: open(os.path.join(d, name), "w", encoding="utf-8").write(
        json.dumps(o, ensure_ascii=False, indent=1 if name != "tokenizer.json" else None) + "\n")
    dump(tok, "tokenizer.json")
    config = {"tokenizer_class": "XLMRobertaTokenizer", "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>",
              "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>",
              "model_max_length": 512}
    dump(config, "tokenizer_config.json")
    dump({"spm_vocab_size": len(proto.pieces), "vocab_size": len(tok["model"]["vocab"]), "mask_id": mask_id,
          "sentencepiece": spm.__version__, "cases": cases}, "reference.json")
    write_checkpoint(os.path.join(out, "tiny-xlmr"), folder, len(tok["model"]["vocab"]), config, dump)
    print(f"{len(cases)} cases, {len(proto.pieces)} spm pieces, vocab {len(tok['model']['vocab'])} -> {out}")


def write_checkpoint(folder, tok_folder, vocab_size, tok_config, dump):
    import torch
    os.makedirs(folder, exist_ok=True)
    h, inter, layers, positions = 16, 32, 2, 66
    config = {"architectures": ["XLMRobertaForMaskedLM"], "model_type": "xlm-roberta", "vocab_size": vocab_size,
              "hidden_size": h, "num_hidden_layers": layers, "num_attention_heads": 2, "intermediate_size": inter,
              "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
              "max_position_embeddings": positions, "type_vocab_size": 1, "initializer_range": 0.02,
              "layer_norm_eps": 1e-5, "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
              "position_embedding_type": "absolute"}
    dump(config, "config.json", folder)
    dump(tok_config, "tokenizer_config.json", folder)
    # only the sentencepiece model, as older XLM-R repositories ship it: the loader's other path
    with open(os.path.join(tok_folder, "sentencepiece.bpe.model"), "rb") as src, \
            open(os.path.join(folder, "sentencepiece.bpe.model"), "wb") as dst:
        dst.write(src.read())
    g = torch.Generator().manual_seed(15)
    r = lambda *s: torch.randn(*s, generator=g) * 0.2
    t = {"roberta.embeddings.word_embeddings.weight": r(vocab_size, h),
         "roberta.embeddings.position_embeddings.weight": r(positions, h),
         "roberta.embeddings.token_type_embeddings.weight": r(1, h),
         "roberta.embeddings.LayerNorm.weight": 1 + r(h), "roberta.embeddings.LayerNorm.bias": r(h)}
    for l in range(layers):
        p = f"roberta.encoder.layer.{l}."
        for name, (o, i) in {"attention.self.query": (h, h), "attention.self.key": (h, h),
                             "attention.self.value": (h, h), "attention.output.dense": (h, h),
                             "intermediate.dense": (inter, h), "output.dense": (h, inter)}.items():
            t[p + name + ".weight"] = r(o, i)
            t[p + name + ".bias"] = r(o)
        for ln in ["attention.output.LayerNorm", "output.LayerNorm"]:
            t[p + ln + ".weight"] = 1 + r(h)
            t[p + ln + ".bias"] = r(h)
    t.update({"lm_head.dense.weight": r(h, h), "lm_head.dense.bias": r(h), "lm_head.layer_norm.weight": 1 + r(h),
              "lm_head.layer_norm.bias": r(h), "lm_head.bias": r(vocab_size)})
    header, blobs, off = {}, [], 0
    for name in sorted(t):
        b = t[name].contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t[name].shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(os.path.join(folder, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hb)) + hb + b"".join(blobs))


if __name__ == "__main__":
    main()
