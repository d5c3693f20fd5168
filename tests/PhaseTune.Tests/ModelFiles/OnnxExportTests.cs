using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using PhaseTune.ModelFiles;
using PhaseTune.ModelFiles.Onnx;
using PhaseTune.ModelFiles.Onnx.Proto;
using PhaseTune.Models;
using PhaseTune.Tests.Cli;
using PhaseTune.Text;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.ModelFiles;

/// <summary>Exported graphs run by OnnxRuntime give what TorchSharp gives (max |diff| ≤ 1e-4) on padded batches.</summary>
public class OnnxExportTests
{
    const double Atol = 1e-4;

    /// <summary>Different lengths (so all but the longest are padded) and a pair (token types 1).</summary>
    static readonly (string A, string? B)[] Texts =
    [
        ("hello", null),
        ("how are you doing today, my friend?", null),
        ("a much longer sentence with quite a few more words in it, so that every other row gets padded", null),
        ("is this a question?", "yes, and this is its answer"),
    ];

    static TokenBatch Batch(ITokenizer tok, IEnumerable<(string A, string? B)> texts, int maxLength = 64) =>
        TokenBatch.EncodePairs(tok, texts, maxLength);

    static float[] Floats(Tensor t) => t.contiguous().data<float>().ToArray();
    static long[] Longs(Tensor t) => t.contiguous().data<long>().ToArray();

    static float[] Torch(SentenceEncoder encoder, TokenBatch b)
    {
        encoder.eval();
        using var _ = no_grad();
        return Floats(encoder.forward(b.Ids, b.Mask, b.Types));
    }

    static InferenceSession Session(string path) => new(path, new SessionOptions { IntraOpNumThreads = 1 });

    /// <summary>Runs the session on a batch (token types only when the graph asks for them): output name → (values, shape).</summary>
    static Dictionary<string, (float[] Values, long[] Shape)> Onnx(InferenceSession session, TokenBatch b)
    {
        long[] shape = b.Ids.shape;
        var feeds = new Dictionary<string, long[]> { ["input_ids"] = Longs(b.Ids), ["attention_mask"] = Longs(b.Mask), ["token_type_ids"] = Longs(b.Types) };
        var names = session.InputNames.ToArray();
        var values = names.Select(n => OrtValue.CreateTensorValueFromMemory(feeds[n], shape)).ToArray();
        try
        {
            using var options = new RunOptions();
            using var results = session.Run(options, names, values, session.OutputNames);
            return session.OutputNames.Zip(results).ToDictionary(r => r.First,
                r => (r.Second.GetTensorDataAsSpan<float>().ToArray(), r.Second.GetTensorTypeAndShape().Shape));
        }
        finally { foreach (var v in values) v.Dispose(); }
    }

    static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= Atol, $"{what}: max |diff| {worst:E3} > {Atol:E0}");
    }

    static void AssertPadded(TokenBatch b) => Assert.Contains(0L, Longs(b.Mask));

    [Theory]
    [InlineData("tiny-bert", "cls")]
    [InlineData("tiny-bert", "mean")]
    [InlineData("tiny-bert", "max")]
    [InlineData("tiny-bert", "pooler")]
    [InlineData("tiny-roberta", "cls")]
    [InlineData("tiny-roberta", "mean")]
    [InlineData("tiny-roberta", "max")]
    public void EncoderMatchesTorchSharp(string fixture, string pooling)
    {
        var loaded = ModelDirectory.Load(Paths.Fixture(fixture));
        // RoBERTa's one-row type table needs no input
        string[] inputs = fixture == "tiny-bert" ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];
        var (encoder, session, shape) = ExportAndCompare(loaded, pooling, inputs, $"{fixture} {pooling}");
        using (session) Assert.Equal(new long[] { Texts.Length, encoder.Dimension }, shape);
    }

    /// <summary>Exports the encoder with this pooling, checks the graph's inputs and that OnnxRuntime's sentence
    /// embeddings of a padded batch equal TorchSharp's.</summary>
    static (SentenceEncoder Encoder, InferenceSession Session, long[] Shape) ExportAndCompare(LoadedEncoder loaded, string pooling, string[] inputs, string label)
    {
        var encoder = new SentenceEncoder(loaded.Model, Pooling.Parse(pooling));
        string path = Path.Combine(Paths.TempDir(), "encoder.onnx");
        OnnxExport.Encoder(encoder, path);

        var b = Batch(loaded.Tokenizer, Texts);
        AssertPadded(b);
        var session = Session(path);
        Assert.Equal(inputs, session.InputNames);
        var (values, shape) = Onnx(session, b)["sentence_embedding"];
        AssertClose(Torch(encoder, b), values, label);
        return (encoder, session, shape);
    }

    [Theory]
    [InlineData("tiny-distilbert", "cls")]
    [InlineData("tiny-distilbert", "mean")]
    [InlineData("tiny-electra", "mean")]
    [InlineData("tiny-electra", "max")]
    public void DistilBertAndElectraMatchTorchSharp(string fixture, string pooling)
    {
        var loaded = ModelDirectory.Load(Paths.RepoFixture(fixture));
        // DistilBERT has no token types; ELECTRA's pair row (last) needs them
        string[] inputs = fixture == "tiny-electra" ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];
        var (_, session, _) = ExportAndCompare(loaded, pooling, inputs, $"{fixture} {pooling}");
        using (session) Assert.Equal(fixture[5..], session.ModelMetadata.CustomMetadataMap["model_type"]);
        Assert.Throws<NotSupportedException>(() => new SentenceEncoder(loaded.Model, PoolingMode.Pooler));   // neither has a pooler
    }

    [Fact]
    public void TokenTypesReachTheGraph()
    {
        var loaded = ModelDirectory.Load(Paths.Fixture("tiny-bert"));
        var encoder = new SentenceEncoder(loaded.Model, PoolingMode.Mean);
        string path = Path.Combine(Paths.TempDir(), "encoder.onnx");
        OnnxExport.Encoder(encoder, path);
        var b = Batch(loaded.Tokenizer, Texts);
        var zeroTypes = b with { Types = zeros_like(b.Types) };
        using var session = Session(path);
        var withTypes = Onnx(session, b)["sentence_embedding"].Values;
        var without = Onnx(session, zeroTypes)["sentence_embedding"].Values;
        AssertClose(Torch(encoder, zeroTypes), without, "types all 0");
        // the pair row (last) changes with its types, the single texts do not
        int h = encoder.Dimension;
        Assert.True(withTypes[^h..].Zip(without[^h..], (x, y) => Math.Abs(x - y)).Max() > 1e-3);
        AssertClose(without[..^h], withTypes[..^h], "single texts");
    }

    [Fact]
    public void SentenceTransformersPipelineMatchesTorchSharpAndSentenceTransformers()
    {
        string st = Paths.Fixture("tiny-bert-st");
        var loaded = ModelDirectory.Load(st);
        Assert.Equal((PoolingMode.Mean, true, 16), (loaded.PoolingOrDefault, loaded.Normalize, loaded.MaxSeqLength!.Value));
        var encoder = new SentenceEncoder(loaded.Model, loaded.PoolingOrDefault, loaded.Normalize);
        string path = Path.Combine(Paths.TempDir(), "st.onnx");
        OnnxExport.Encoder(encoder, path, loaded.MaxSeqLength);
        using var session = Session(path);

        var b = Batch(loaded.Tokenizer, Texts, 16);
        AssertPadded(b);
        var values = Onnx(session, b)["sentence_embedding"].Values;
        AssertClose(Torch(encoder, b), values, "tiny-bert-st");
        foreach (var row in values.Chunk(encoder.Dimension)) Assert.Equal(1.0, Math.Sqrt(row.Sum(v => (double)v * v)), 1e-5);

        // sentence-transformers' own encode() of ids cut to max_seq_length (keeping the final [SEP])
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(st, "reference.json")))!;
        var rows = reference["input_ids_untruncated"]!.AsArray()
            .Select(r => r!.AsArray().Select(i => i!.GetValue<int>()).ToArray())
            .Select(ids => new TokenEncoding(ids.Length > 16 ? [.. ids[..15], ids[^1]] : ids, new int[Math.Min(16, ids.Length)], [], []))
            .ToArray();
        var refBatch = TokenBatch.From(Collator.Pad(rows, loaded.Tokenizer.PadId));
        AssertPadded(refBatch);
        var expected = reference["sentence_embedding"]!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<float>())).ToArray();
        AssertClose(expected, Onnx(session, refBatch)["sentence_embedding"].Values, "sentence-transformers reference");

        var meta = session.ModelMetadata;
        Assert.Equal("PhaseTune", meta.ProducerName);
        Assert.Equal(("mean", "true", "16"), (meta.CustomMetadataMap["pooling"], meta.CustomMetadataMap["normalize"], meta.CustomMetadataMap["max_length"]));
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("gelu")]
    [InlineData("tanh")]
    [InlineData("none")]
    public void ClassifierMatchesPredictProba(string activation)
    {
        var model = ToyClassifier(activation, PoolingMode.Mean);
        string path = Path.Combine(Paths.TempDir(), "classifier.onnx");
        OnnxExport.Classifier(model, path);

        var b = Batch(model.Tokenizer, Texts, model.MaxLength);
        AssertPadded(b);
        using var session = Session(path);
        Assert.Equal(["probabilities", "sentence_embedding"], session.OutputNames);
        var outputs = Onnx(session, b);
        var expected = model.PredictProba(Texts);
        Assert.Equal(new long[] { Texts.Length, 3 }, outputs["probabilities"].Shape);
        AssertClose(expected.SelectMany(p => p).ToArray(), outputs["probabilities"].Values, $"probabilities ({activation})");
        // probabilities far from uniform, so a wrong head could not pass within the tolerance
        Assert.Contains(expected, p => p.Max() - p.Min() > 0.2);
        AssertClose(Torch(model.Encoder, b), outputs["sentence_embedding"].Values, "sentence_embedding");

        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(model.Labels, JsonNode.Parse(meta["labels"])!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal((activation, "mean", "true", "32"), (meta["head_activation"], meta["pooling"], meta["projection"], meta["max_length"]));
    }

    [Fact]
    public void TheExportCommandWritesAFolderThatPredictsAloneAndNeverReplacesAnotherFolder()
    {
        string dir = Paths.TempDir(), saved = Path.Combine(dir, "classifier"), exported = Path.Combine(dir, "deploy");
        var model = ToyClassifier("relu", PoolingMode.Mean);
        ClassifierDirectory.Save(model, saved);
        var (code, stdout, err) = CliRunner.Run("export", "--model", saved, "--out", exported);
        Assert.True(code == 0, err);
        Assert.Contains("exported a classifier", stdout);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(exported, OnnxDirectory.ManifestFile)))!;
        Assert.Equal(["probabilities", "sentence_embedding"], manifest["outputs"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
        Assert.Equal(model.Labels, manifest["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.True(File.Exists(Path.Combine(exported, "labels.json")));

        // the folder alone: its own tokenizer files and graph give the saved model's probabilities
        var tok = TokenizerLoader.Load(exported);
        var b = Batch(tok, Texts, manifest["max_length"]!.GetValue<int>());
        using (var session = Session(Path.Combine(exported, OnnxDirectory.ModelFile)))
            AssertClose(model.PredictProba(Texts).SelectMany(p => p).ToArray(), Onnx(session, b)["probabilities"].Values, "exported folder");

        // an encoder folder (sentence-transformers) exports with its pipeline; exporting again replaces the export
        (code, _, err) = CliRunner.Run("export", "--model", Paths.Fixture("tiny-bert-st"), "--out", exported);
        Assert.True(code == 0, err);
        manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(exported, OnnxDirectory.ManifestFile)))!;
        Assert.Equal(("encoder", "mean", true, 16), (manifest["kind"]!.GetValue<string>(), manifest["pooling"]!.GetValue<string>(),
            manifest["normalize"]!.GetValue<bool>(), manifest["max_length"]!.GetValue<int>()));
        Assert.False(File.Exists(Path.Combine(exported, "labels.json")));

        // refused: the model's own folder, a folder that holds it, a folder that is not an export, an unknown format
        string other = Path.Combine(dir, "notes");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "keep.txt"), "mine");
        foreach (var (outDir, message) in new[] { (saved, "is the same as --model"), (dir, "would overwrite --model"), (other, "is not an export folder") })
        {
            (code, _, err) = CliRunner.Run("export", "--model", saved, "--out", outDir);
            Assert.NotEqual(0, code);
            Assert.Contains(message, err);
        }
        Assert.Equal("mine", File.ReadAllText(Path.Combine(other, "keep.txt")));
        Assert.True(File.Exists(Path.Combine(saved, "head.safetensors")));
        (code, _, err) = CliRunner.Run("export", "--model", saved, "--out", Path.Combine(dir, "x"), "--format", "tflite");
        Assert.Contains("unknown format 'tflite'", err);
    }

    /// <summary>A ToyModels encoder with a perturbed (not identity) projection and a head whose logits are spread out.</summary>
    internal static TextClassifier ToyClassifier(string activation, PoolingMode pooling)
    {
        var encoder = new SentenceEncoder(ToyModels.Encoder(seed: 11), pooling);
        encoder.AddProjection();
        manual_seed(1234);
        var head = new ClassificationHead(encoder.Dimension, 3, activation);
        using (no_grad())
        {
            encoder.Projection!.weight!.add_(randn_like(encoder.Projection.weight!), alpha: 0.3);
            encoder.Projection.bias!.normal_(0, 0.1);
            head.named_parameters().Single(p => p.name == "out_proj.bias").parameter.normal_(0, 0.5);
            foreach (var p in head.parameters()) p.mul_(4);
        }
        return new TextClassifier(encoder, head, ToyModels.Tokenizer, ["sports", "food", "other"], 32);
    }

    [Fact]
    public void BatchAndSequenceAxesAreDynamic()
    {
        var model = ToyClassifier("relu", PoolingMode.Max);
        string path = Path.Combine(Paths.TempDir(), "classifier.onnx");
        OnnxExport.Classifier(model, path);
        using var session = Session(path);
        foreach (var input in session.InputMetadata.Values)
        {
            Assert.Equal(new[] { "batch", "sequence" }, input.SymbolicDimensions);
            Assert.Equal(new[] { -1, -1 }, input.Dimensions);
        }
        Assert.Equal(new[] { -1, 3 }, session.OutputMetadata["probabilities"].Dimensions);

        // one session, three batch sizes and lengths
        foreach (var texts in new[] { Texts, Texts[..1], Texts[1..3] })
        {
            var b = Batch(model.Tokenizer, texts, model.MaxLength);
            var outputs = Onnx(session, b);
            Assert.Equal(new long[] { texts.Length, 3 }, outputs["probabilities"].Shape);
            AssertClose(model.PredictProba(texts).SelectMany(p => p).ToArray(), outputs["probabilities"].Values, $"{texts.Length} texts, length {b.Ids.shape[1]}");
            AssertClose(Torch(model.Encoder, b), outputs["sentence_embedding"].Values, $"{texts.Length} texts embedding");
        }
    }

    [Fact]
    public void TheFileIsPlainOpset17WithWeightsUnderTheirKeys()
    {
        var loaded = ModelDirectory.Load(Paths.Fixture("tiny-bert"));
        var encoder = new SentenceEncoder(loaded.Model, PoolingMode.Pooler);
        string dir = Paths.TempDir(), path = Path.Combine(dir, "encoder.onnx");
        OnnxExport.Encoder(encoder, path);
        Assert.Equal(["encoder.onnx"], Directory.GetFiles(dir).Select(Path.GetFileName));   // no temp file left

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(("", 17L), (model.OpsetImport.Single().Domain, model.OpsetImport.Single().Version));
        Assert.All(model.Graph.Node, n => Assert.Equal("", n.Domain));
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var (name, p) in loaded.Model.named_parameters())
        {
            Assert.True(initializers.TryGetValue(name, out var t), $"no initializer '{name}'");
            Assert.Equal((int)TensorProto.Types.DataType.Float, t.DataType);
            Assert.Equal(p.shape, t.Dims);
            Assert.Equal(Floats(p), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray());
        }
    }
}
