using PhaseTune.IO;
using PhaseTune.Models;
using PhaseTune.Text;
using TorchSharp;

namespace PhaseTune.ModelFiles;

/// <summary>Where a run's encoder comes from: a HF / sentence-transformers directory, or a scratch preset
/// (`scratch:tiny|mini|small|minilm`) with a vocabulary.</summary>
public static class ModelSource
{
    public static readonly IReadOnlyDictionary<string, (int Layers, int Hidden, int Heads)> Presets =
        new Dictionary<string, (int, int, int)>
        {
            ["tiny"] = (2, 128, 2), ["mini"] = (4, 256, 4), ["small"] = (4, 512, 8), ["minilm"] = (12, 384, 12),
        };

    /// <summary>Loads or builds the encoder for a run: torch is seeded from the run seed first, so scratch weights
    /// (and anything a loaded checkpoint lacks) follow the seed.</summary>
    public static (BertModel Model, ITokenizer Tokenizer, PoolingMode? Pooling) Resolve(string model, string? vocab, int runSeed)
    {
        torch.manual_seed(Seeds.Mix(runSeed, "init"));
        return Resolve(model, vocab);
    }

    /// <summary>Loads or builds the encoder. Scratch weights come from torch's generator: seed it first.</summary>
    public static (BertModel Model, ITokenizer Tokenizer, PoolingMode? Pooling) Resolve(string model, string? vocab)
    {
        if (!model.StartsWith("scratch:", StringComparison.Ordinal))
        {
            var loaded = ModelDirectory.Load(model);
            return (loaded.Model, loaded.Tokenizer, loaded.Pooling);
        }
        string preset = model["scratch:".Length..];
        if (!Presets.TryGetValue(preset, out var p))
            throw new ArgumentException($"unknown scratch preset '{preset}' ({string.Join(", ", Presets.Keys)})");
        if (vocab is null) throw new ArgumentException($"{model} needs --vocab (a vocab.txt, or a directory with tokenizer files)");
        ITokenizer tok = Directory.Exists(vocab) ? TokenizerLoader.Load(vocab)
            : File.Exists(vocab) ? WordPieceTokenizer.FromVocabFile(vocab, new WordPieceTokenizer.Options())
            : throw new FileNotFoundException($"{vocab}: vocabulary not found");
        // RoBERTa's layout (positions after the pad, one token type) goes with its tokenizers, XLM-R's included
        bool roberta = tok is ByteLevelBpeTokenizer or UnigramTokenizer;
        var config = new EncoderConfig
        {
            ModelType = tok is UnigramTokenizer ? "xlm-roberta" : roberta ? "roberta" : "bert",
            VocabSize = tok.VocabSize, HiddenSize = p.Hidden, NumHiddenLayers = p.Layers, NumAttentionHeads = p.Heads,
            IntermediateSize = 4 * p.Hidden, MaxPositionEmbeddings = roberta ? 514 : 512,
            TypeVocabSize = roberta ? 1 : 2, LayerNormEps = 1e-12, PadTokenId = tok.PadId,
        };
        return (new BertModel(config), tok, null);
    }
}
