using PhaseTune.Inference;
using PhaseTune.ModelFiles;
using PhaseTune.ModelFiles.Onnx;
using PhaseTune.Models;
using System.Text.Json.Nodes;
using PhaseTune.Tests.Cli;
using PhaseTune.Tests.ModelFiles;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Inference;

/// <summary>PhaseTune.Inference on export folders gives what the TorchSharp model gives, in the input order, whatever
/// the batching, from any number of threads.</summary>
public class InferenceTests
{
    const double Atol = 1e-4;

    /// <summary>Lengths from 1 word to many, out of order, so sorting and cutting into calls matter.</summary>
    static readonly string[] Texts =
    [
        "a much longer sentence with quite a few more words in it, so that the shorter ones get padded",
        "hi",
        "how are you doing today, my friend?",
        "ok",
        "the food was cold and the service slow",
        "great match last night",
        "what a long and winding road this sentence takes before it finally, at long last, ends here",
        "fine",
        "sports results at eleven",
    ];

    static void AssertClose(float[][] expected, float[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual, (e, a) => { Assert.Equal(e.Length, a.Length); return e.Zip(a, (x, y) => Math.Abs(x - y)).Max(); }).Max();
        Assert.True(worst <= Atol, $"{what}: max |diff| {worst:E3} > {Atol:E0}");
    }

    static (TextClassifier Model, string Export) ExportedClassifier()
    {
        string dir = Paths.TempDir(), saved = Path.Combine(dir, "model"), export = Path.Combine(dir, "deploy");
        var model = OnnxExportTests.ToyClassifier("relu", PoolingMode.Mean);
        ClassifierDirectory.Save(model, saved);
        OnnxDirectory.Export(saved, export);
        return (model, export);
    }

    static float[][] TorchEmbeddings(SentenceEncoder encoder, PhaseTune.Text.ITokenizer tok, int maxLength) =>
        Texts.Select(t =>
        {
            encoder.eval();
            using var _ = no_grad();
            var b = PhaseTune.Text.TokenBatch.Encode(tok, [t], maxLength);
            return encoder.forward(b.Ids, b.Mask, b.Types).data<float>().ToArray();
        }).ToArray();

    [Theory]
    [InlineData(32, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(1, false)]
    public void ClassifierGivesTheTorchSharpProbabilitiesInInputOrderWhateverTheBatching(int batchSize, bool sort)
    {
        var (model, export) = ExportedClassifier();
        using var classifier = new OnnxTextClassifier(export, new InferenceOptions(Threads: 1, BatchSize: batchSize, SortByLength: sort));
        Assert.Equal(model.Labels, classifier.Labels);
        var expected = model.PredictProba(Texts.Select(t => (t, (string?)null)).ToArray());
        AssertClose(expected, classifier.PredictProba(Texts), $"batch {batchSize}, sorted {sort}");
        Assert.Contains(expected, p => p.Max() - p.Min() > 0.2);   // a wrong head could not pass
        var labels = expected.Select(p => model.Labels[Array.IndexOf(p, p.Max())]).ToArray();
        Assert.Equal(labels, classifier.Predict(Texts));
        Assert.Equal(labels[4], classifier.Predict(Texts[4]));
        var (probs, embeddings) = classifier.PredictWithEmbeddings(Texts);
        AssertClose(expected, probs, "probabilities with embeddings");
        AssertClose(TorchEmbeddings(model.Encoder, model.Tokenizer, model.MaxLength), embeddings, "embeddings");
    }

    [Fact]
    public void EmbedderFollowsTheSentenceTransformersPipeline()
    {
        string st = Paths.Fixture("tiny-bert-st"), export = Path.Combine(Paths.TempDir(), "st");
        OnnxDirectory.Export(st, export);
        var loaded = ModelDirectory.Load(st);
        var encoder = new SentenceEncoder(loaded.Model, loaded.PoolingOrDefault, loaded.Normalize);
        using var embedder = new OnnxEmbedder(export, new InferenceOptions(Threads: 1, BatchSize: 4));
        Assert.Equal((encoder.Dimension, 16), (embedder.Dimension, embedder.Manifest.MaxLength));
        // the longer texts exceed max_seq_length 16: cut exactly as PhaseTune cuts them
        var vectors = embedder.Embed(Texts);
        AssertClose(TorchEmbeddings(encoder, loaded.Tokenizer, 16), vectors, "tiny-bert-st");
        Assert.All(vectors, v => Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 1e-5));
        AssertClose([vectors[2]], [embedder.Embed(Texts[2])], "one text alone");
        Assert.Empty(embedder.Embed([]));
    }

    [Fact]
    public void ConcurrentCallsGiveTheSequentialResults()
    {
        var (_, export) = ExportedClassifier();
        using var classifier = new OnnxTextClassifier(export, new InferenceOptions(Threads: 1, BatchSize: 3));
        var sequential = classifier.PredictProba(Texts);
        var parallel = new float[16][][];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => parallel[i] = classifier.PredictProba(Texts.Skip(i % Texts.Length).Concat(Texts.Take(i % Texts.Length)).ToArray()));
        for (int i = 0; i < parallel.Length; i++)
        {
            int shift = i % Texts.Length;
            Assert.Equal(sequential.Skip(shift).Concat(sequential.Take(shift)), parallel[i]);
        }
    }

    [Fact]
    public void BadFoldersAndInputsGetClearErrors()
    {
        var (_, export) = ExportedClassifier();
        string encoderExport = Path.Combine(Paths.TempDir(), "enc");
        OnnxDirectory.Export(Paths.Fixture("tiny-bert-st"), encoderExport);
        Assert.Contains("not a classifier; use OnnxEmbedder", Assert.Throws<InvalidDataException>(() => new OnnxTextClassifier(encoderExport)).Message);
        Assert.Contains("not an export folder (no export.json)", Assert.Throws<FileNotFoundException>(() => new OnnxEmbedder(Paths.Fixture("tiny-bert"))).Message);

        string manifest = Path.Combine(export, ExportManifest.FileName);
        string original = File.ReadAllText(manifest);
        File.WriteAllText(manifest, original.Replace("\"file\": \"model.onnx\"", "\"file\": \"../model.onnx\""));
        Assert.Contains("outside the model folder", Assert.Throws<InvalidDataException>(() => new OnnxTextClassifier(export)).Message);
        File.WriteAllText(manifest, original.Replace("\"max_length\"", "\"max_len\""));
        Assert.Contains("'max_length' is missing", Assert.Throws<InvalidDataException>(() => new OnnxTextClassifier(export)).Message);
        File.WriteAllText(manifest, original);
        File.WriteAllBytes(Path.Combine(export, "model.onnx"), [1, 2, 3]);
        Assert.Contains("OnnxRuntime cannot load it", Assert.Throws<InvalidDataException>(() => new OnnxTextClassifier(export)).Message);

        (_, export) = ExportedClassifier();
        using var classifier = new OnnxTextClassifier(export);
        Assert.Contains("text 1 is null", Assert.Throws<ArgumentException>(() => classifier.Predict(["ok", null!])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxTextClassifier(export, new InferenceOptions(BatchSize: 0)));
    }

    [Fact]
    public void LengthBatchesCoverEveryTextOnceAndBoundThePadding()
    {
        var rng = new Random(3);
        var lengths = Enumerable.Range(0, 500).Select(_ => rng.Next(3, 120)).ToArray();
        foreach (var sorted in new[] { true, false })
        {
            var calls = PlanOf(lengths, 32, sorted);
            Assert.Equal(Enumerable.Range(0, lengths.Length), calls.SelectMany(c => c).Order());
            Assert.All(calls, c => Assert.InRange(c.Length, 1, 32));
            long padded = calls.Sum(c => (long)c.Length * c.Max(i => lengths[i]));
            double waste = padded / (double)lengths.Sum();
            if (sorted) Assert.True(waste < 1.1, $"sorted calls pad {waste:F2}× the real tokens");
            else Assert.True(waste > 1.5, $"unsorted calls pad only {waste:F2}×: the workload does not test sorting");
        }
        // one batch of short texts and one long text: the long one runs alone, not padding 31 rows to its length
        var mixed = Enumerable.Repeat(5, 31).Append(100).ToArray();
        Assert.Equal(2, PlanOf(mixed, 32, true).Count);
    }

    static List<int[]> PlanOf(int[] lengths, int batch, bool sort) =>
        (List<int[]>)typeof(OnnxEmbedder).Assembly.GetType("PhaseTune.Inference.LengthBatches")!
            .GetMethod("Plan")!.Invoke(null, [lengths, batch, sort])!;

    [Fact]
    public void PredictEvalAndEmbedTakeAnExportFolderAndAgreeWithTheSavedModel()
    {
        string dir = Paths.TempDir(), saved = Path.Combine(dir, "model"), export = Path.Combine(dir, "deploy");
        var model = OnnxExportTests.ToyClassifier("relu", PoolingMode.Mean);
        ClassifierDirectory.Save(model, saved);
        OnnxDirectory.Export(saved, export);
        string input = Path.Combine(dir, "texts.txt"), data = Path.Combine(dir, "labelled.jsonl");
        File.WriteAllLines(input, Texts);
        File.WriteAllLines(data, Texts.Select((t, i) => new JsonObject { ["text"] = t, ["label"] = model.Labels[i % 3] }.ToJsonString()));

        List<JsonNode> Predictions(string modelDir, string name, string precision = "fp32")
        {
            string output = Path.Combine(dir, name);
            var (code, _, err) = CliRunner.Run("predict", "--model", modelDir, "--input", input, "--output", output, "--precision", precision);
            Assert.True(code == 0, err);
            return File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!).ToList();
        }
        var torch = Predictions(saved, "torch.jsonl");
        var onnx = Predictions(export, "onnx.jsonl");
        Assert.Equal(torch.Select(r => r["label"]!.GetValue<string>()), onnx.Select(r => r["label"]!.GetValue<string>()));
        foreach (var (t, o) in torch.Zip(onnx))
            foreach (var label in model.Labels)
                Assert.Equal(t["scores"]![label]!.GetValue<float>(), o["scores"]![label]!.GetValue<float>(), 1e-4);
        // bf16 is for the saved model; the export folder's graph is what it was exported as
        var bf16 = Predictions(saved, "bf16.jsonl", "bf16");
        foreach (var (t, h) in torch.Zip(bf16))
            foreach (var label in model.Labels)
                Assert.Equal(t["scores"]![label]!.GetValue<float>(), h["scores"]![label]!.GetValue<float>(), 2e-2);
        var refused = CliRunner.Run("predict", "--model", export, "--input", input, "--output", Path.Combine(dir, "x.jsonl"), "--precision", "bf16");
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("--precision does not apply", refused.Stderr);

        JsonNode Eval(string modelDir)
        {
            var (code, stdout, err) = CliRunner.Run("eval", "--model", modelDir, "--data", data);
            Assert.True(code == 0, err);
            return JsonNode.Parse(stdout)!;
        }
        var (te, oe) = (Eval(saved), Eval(export));
        Assert.Equal(te["accuracy"]!.GetValue<double>(), oe["accuracy"]!.GetValue<double>());
        Assert.Equal(te["macro_f1"]!.GetValue<double>(), oe["macro_f1"]!.GetValue<double>());

        string st = Paths.Fixture("tiny-bert-st"), stExport = Path.Combine(dir, "st");
        OnnxDirectory.Export(st, stExport);
        float[][] Embeddings(string modelDir, string name)
        {
            string output = Path.Combine(dir, name);
            var (code, _, err) = CliRunner.Run("embed", "--model", modelDir, "--input", input, "--output", output, "--batch-size", "4");
            Assert.True(code == 0, err);
            return File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray()).ToArray();
        }
        AssertClose(Embeddings(st, "st-torch.jsonl"), Embeddings(stExport, "st-onnx.jsonl"), "embed on the export folder");
        var (rc, _, error) = CliRunner.Run("embed", "--model", stExport, "--input", input, "--output", Path.Combine(dir, "x.jsonl"), "--pooling", "cls");
        Assert.NotEqual(0, rc);
        Assert.Contains("leave out --pooling, --max-length and --precision", error);
    }

    [Fact]
    public void Int8ExportKeepsEveryArgmaxWithQuantizedLayersOnly()
    {
        string dir = Paths.TempDir(), saved = Path.Combine(dir, "model"), f32 = Path.Combine(dir, "f32"), i8 = Path.Combine(dir, "i8");
        var model = OnnxExportTests.ToyClassifier("relu", PoolingMode.Mean);
        ClassifierDirectory.Save(model, saved);
        OnnxDirectory.Export(saved, f32);
        Assert.Equal("int8", OnnxDirectory.Export(saved, i8, int8: true)["quantization"]!.GetValue<string>());
        using var exact = new OnnxTextClassifier(f32);
        using var quantized = new OnnxTextClassifier(i8);
        Assert.Equal("int8", quantized.Manifest.Quantization);
        var (p, q) = (exact.PredictProba(Texts), quantized.PredictProba(Texts));
        Assert.Equal(exact.Predict(Texts), quantized.Predict(Texts));
        double worst = p.Zip(q, (a, b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max()).Max();
        Assert.True(worst is > 0 and < 0.03, $"int8 moved a probability by {worst:E2}");

        var graph = PhaseTune.ModelFiles.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(i8, "model.onnx"))).Graph;
        int layers = model.Encoder.Encoder.Config.NumHiddenLayers;
        Assert.Equal(4 * layers, graph.Node.Count(n => n.OpType == "MatMulInteger"));   // query, key and value as one
        var floats = graph.Initializer.Where(t => t.DataType == (int)PhaseTune.ModelFiles.Onnx.Proto.TensorProto.Types.DataType.Float).Select(t => t.Name).ToHashSet();
        Assert.DoesNotContain(floats, n => n.StartsWith("encoder.layer.") && n.EndsWith(".weight") && !n.Contains("LayerNorm"));
        Assert.Contains("embeddings.word_embeddings.weight", floats);
        Assert.Contains("head.out_proj.weight", floats);
        Assert.True(new FileInfo(Path.Combine(i8, "model.onnx")).Length < new FileInfo(Path.Combine(f32, "model.onnx")).Length);
    }

    [Fact]
    public void TheInferenceLibraryLoadsNoTorchSharp()
    {
        var names = new HashSet<string>();
        var queue = new Queue<System.Reflection.Assembly>([typeof(OnnxEmbedder).Assembly]);
        while (queue.TryDequeue(out var asm))
            foreach (var r in asm.GetReferencedAssemblies())
                if (names.Add(r.Name!) && r.Name!.StartsWith("PhaseTune")) queue.Enqueue(System.Reflection.Assembly.Load(r));
        Assert.Contains("PhaseTune.Tokenizers", names);
        Assert.Contains("Microsoft.ML.OnnxRuntime", names);
        Assert.DoesNotContain(names, n => n.StartsWith("TorchSharp") || n == "PhaseTune.Core");
    }
}
