using PhaseTune.Data;
using PhaseTune.Evaluation;
using PhaseTune.ModelFiles;
using PhaseTune.ModelFiles.Onnx;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Inference;
using System.Text.Json.Nodes;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Models;

/// <summary>The classifier head's shape (hidden sizes, dropout per layer, activation), its per-layer learning rates,
/// and that a shaped head saves, loads and exports as itself while the default stays the paper's head.</summary>
public class HeadSpecTests
{
    static readonly HeadSpec Report = new([10], [0.9, 0.0], "relu");

    static Dictionary<string, long[]> Shapes(nn.Module m) => m.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);

    [Fact]
    public void TheDefaultHeadIsThePapersWithItsKeysAndItsInitialWeights()
    {
        manual_seed(5);
        var head = new ClassificationHead(32, 7);
        Assert.Equal(["dense.weight", "dense.bias", "out_proj.weight", "out_proj.bias"], head.named_parameters().Select(p => p.name));
        Assert.Equal(new long[] { 100, 32 }, Shapes(head)["dense.weight"]);
        Assert.Equal(new long[] { 7, 100 }, Shapes(head)["out_proj.weight"]);
        // the weights are drawn as the fixed head drew them: Linear(h, 100) first, then Linear(100, C)
        manual_seed(5);
        var dense = nn.Linear(32, 100);
        var outProj = nn.Linear(100, 7);
        Assert.True(head.named_parameters().First().parameter.equal(dense.weight!).all().item<bool>());
        Assert.True(head.named_parameters().Single(p => p.name == "out_proj.weight").parameter.equal(outProj.weight!).all().item<bool>());
        Assert.Equal([0.3, 0.3], head.modules().OfType<FastDropout>().Select(d => d.P));
    }

    [Fact]
    public void TheReportsHeadHasItsShapesDropoutsAndActivation()
    {
        manual_seed(2);
        var head = new ClassificationHead(32, 60, Report);
        Assert.Equal(new long[] { 10, 32 }, Shapes(head)["dense.weight"]);
        Assert.Equal(new long[] { 60, 10 }, Shapes(head)["out_proj.weight"]);
        Assert.Equal([0.9, 0.0], head.modules().OfType<FastDropout>().Select(d => d.P));
        var deep = new ClassificationHead(32, 5, new HeadSpec([16, 8], [0.1, 0.2, 0.3], "tanh"));
        Assert.Equal(["dense.weight", "dense.bias", "dense_1.weight", "dense_1.bias", "out_proj.weight", "out_proj.bias"], deep.named_parameters().Select(p => p.name));
        Assert.Equal(new long[] { 8, 16 }, Shapes(deep)["dense_1.weight"]);
        var linear = new ClassificationHead(32, 5, new HeadSpec([], [0.0], "none"));
        Assert.Equal(["out_proj.weight", "out_proj.bias"], linear.named_parameters().Select(p => p.name));

        // eval mode: Linear(10, 60)(ReLU(Linear(32, 10)(x))), computed here by hand
        head.eval();
        var x = randn(4, 32);
        var p = head.named_parameters().ToDictionary(q => q.name, q => q.parameter);
        var expected = nn.functional.relu(x.matmul(p["dense.weight"].T) + p["dense.bias"]).matmul(p["out_proj.weight"].T) + p["out_proj.bias"];
        Assert.True(head.forward(x).allclose(expected, 1e-5, 1e-6));
        // training mode: dropout 0.9 on the input only — the first layer's input, not the second's
        head.train();
        var one = ones(1, 32);
        using (no_grad())
        {
            var dropped = Enumerable.Range(0, 20).Select(_ => head.forward(one)).ToList();
            Assert.Contains(dropped, y => !y.allclose(dropped[0]));
            var none = new ClassificationHead(32, 60, Report with { Dropout = [0.0, 0.0] });
            none.eval();
            var still = none.forward(one);
            none.train();
            Assert.True(none.forward(one).equal(still).all().item<bool>());
        }
    }

    [Fact]
    public void BadSpecsAreRefusedNamingTheKey()
    {
        Assert.Contains("ft.head_dropout needs one rate per linear layer (2", Assert.Throws<ArgumentException>(() => new HeadSpec([10], [0.9], "relu").Validate("c.toml")).Message);
        Assert.Contains("ft.head_activation 'swish'", Assert.Throws<ArgumentException>(() => new HeadSpec([10], [0.9, 0], "swish").Validate("c.toml")).Message);
        Assert.Contains("ft.head_hidden", Assert.Throws<ArgumentException>(() => new HeadSpec([0], [0.9, 0], "relu").Validate("c.toml")).Message);
        var c = new TrainConfig { Phases = [PhaseKind.FineTune], Ft = new FineTuneConfig { HeadHidden = [10], HeadDropout = [0.9, 0], LrHeadLayers = [0.01] } };
        Assert.Contains("ft.lr_head_layers needs one learning rate per head layer (2)", Assert.Throws<ArgumentException>(() => c.Validate()).Message);
    }

    [Fact]
    public void TheHeadIsSetByFlags()
    {
        IEnumerable<PhaseTune.Runs.ConfigOverride> Flag(string flag, string value) => PhaseTune.Runs.ConfigOptions.Run.Single(o => o.Flag == flag).Overrides(value);
        var c = PhaseTune.Runs.ConfigResolver.Resolve("scratch:tiny", null, [.. Flag("--head-hidden", "10"), .. Flag("--head-dropout", "0.9,0"), .. Flag("--lr-head-layers", "0.01,0.009")]);
        Assert.Equal([10], c.Ft.HeadHidden);
        Assert.Equal([0.9, 0.0], c.Ft.HeadDropout);
        Assert.Equal([0.01, 0.009], c.Ft.LrHeadLayers!);
        var linear = PhaseTune.Runs.ConfigResolver.Resolve("scratch:tiny", null, [.. Flag("--head-hidden", ""), .. Flag("--head-dropout", "0.1")]);
        Assert.Empty(linear.Ft.HeadHidden);
        Assert.Contains("--head-dropout: 'x' in '0.1,x' is not a number", Assert.Throws<ArgumentException>(() => Flag("--head-dropout", "0.1,x").ToList()).Message);
        Assert.Equal(HeadSpec.Default.Hidden, PhaseTune.Runs.ConfigResolver.Resolve("scratch:tiny").Ft.HeadHidden);
    }

    [Fact]
    public void PerLayerHeadLearningRatesAreTheOptimisersGroups()
    {
        var enc = new SentenceEncoder(ToyModels.Encoder(4), PoolingMode.Cls);
        var data = ToyModels.Corpus();
        var c = new TrainConfig
        {
            Phases = [PhaseKind.FineTune], BatchSize = 4, MaxLength = 32,
            Ft = new FineTuneConfig { Lr = 1e-4, Llrd = 0.9, HeadHidden = [10], HeadDropout = [0.9, 0], LrHeadLayers = [0.01, 0.009] },
        };
        using var phase = new FineTunePhase(enc, ToyModels.Tokenizer, data, data, LabelSet.FromTrain(data, null), c);
        var byParam = phase.Optimizer.Groups.SelectMany(g => g.Parameters.Select(p => (p.Name, g.BaseLr))).ToDictionary(x => x.Name, x => x.BaseLr);
        Assert.Equal(0.01, byParam["head.dense.weight"]);
        Assert.Equal(0.01, byParam["head.dense.bias"]);
        Assert.Equal(0.009, byParam["head.out_proj.weight"]);
        Assert.Equal(0.009, byParam["head.out_proj.bias"]);
        Assert.Equal(1e-4, byParam["encoder.encoder.encoder.layer.1.output.dense.weight"], 12);   // the top layer
        Assert.Equal(1e-4 * 0.9 * 0.9, byParam["encoder.encoder.embeddings.word_embeddings.weight"], 12);
        Assert.Equal(phase.StateParameters.Count, byParam.Count);   // every trainable parameter in exactly one group
    }

    static TextClassifier Classifier(HeadSpec spec)
    {
        var encoder = new SentenceEncoder(ToyModels.Encoder(seed: 11), PoolingMode.Mean);
        manual_seed(77);
        var head = new ClassificationHead(encoder.Dimension, 3, spec);
        using (no_grad()) foreach (var p in head.parameters()) p.mul_(6);   // spread-out probabilities
        return new TextClassifier(encoder, head, ToyModels.Tokenizer, ["sports", "food", "other"], 32);
    }

    static readonly (string, string?)[] Texts = [("the team won the football match", null), ("bake the bread for forty minutes", null), ("hello", null)];

    [Fact]
    public void AShapedHeadSavesLoadsAndExportsAsItselfAndOldSavesLoadTheDefault()
    {
        var spec = new HeadSpec([10, 6], [0.9, 0.0, 0.1], "tanh");
        var model = Classifier(spec);
        string dir = Path.Combine(Paths.TempDir(), "model");
        ClassifierDirectory.Save(model, dir);
        var loaded = ClassifierDirectory.Load(dir);
        Assert.Equal(spec.Hidden, loaded.Head.Spec.Hidden);
        Assert.Equal(spec.Dropout, loaded.Head.Spec.Dropout);
        Assert.Equal("tanh", loaded.HeadActivation);
        var expected = model.PredictProba(Texts);
        Assert.Contains(expected, p => p.Max() - p.Min() > 0.2);
        Assert.Equal(expected.SelectMany(p => p), loaded.PredictProba(Texts).SelectMany(p => p));

        // exported: OnnxRuntime runs the same head
        string export = Path.Combine(Paths.TempDir(), "deploy");
        OnnxDirectory.Export(dir, export);
        using (var onnx = new OnnxTextClassifier(export))
        {
            var got = onnx.PredictProba(Texts).SelectMany(p => p).ToArray();
            var want = expected.SelectMany(p => p).ToArray();
            for (int i = 0; i < want.Length; i++) Assert.True(Math.Abs(want[i] - got[i]) < 1e-4, $"probability {i}: {want[i]} vs {got[i]}");
        }
        Assert.Equal("tanh", JsonNode.Parse(File.ReadAllText(Path.Combine(export, "export.json")))!["head"]!["activation"]!.GetValue<string>());

        // a save from before head shapes: no "head" in labels.json, the default head's keys
        var old = Classifier(HeadSpec.WithActivation("gelu"));
        string oldDir = Path.Combine(Paths.TempDir(), "old");
        ClassifierDirectory.Save(old, oldDir);
        var labels = JsonNode.Parse(File.ReadAllText(Path.Combine(oldDir, "labels.json")))!.AsObject();
        labels.Remove("head");
        File.WriteAllText(Path.Combine(oldDir, "labels.json"), labels.ToJsonString());
        var back = ClassifierDirectory.Load(oldDir);
        Assert.Equal([100], back.Head.Spec.Hidden);
        Assert.Equal("gelu", back.HeadActivation);
        Assert.Equal(old.PredictProba(Texts).SelectMany(p => p), back.PredictProba(Texts).SelectMany(p => p));

        // a head file that does not fit the recorded shape is refused, naming the tensor
        labels["head"] = new HeadSpec([12], [0.3, 0.3], "gelu").ToJson();
        File.WriteAllText(Path.Combine(oldDir, "labels.json"), labels.ToJsonString());
        Assert.Contains("'head.dense.weight' has shape [100, 32], expected [12, 32]", Assert.Throws<InvalidDataException>(() => ClassifierDirectory.Load(oldDir)).Message);
    }

    [Fact]
    public void TestLossIsTheMeanCrossEntropyOfTheLogits()
    {
        var model = Classifier(Report);
        var examples = new List<Example> { new("the team won the football match", null, "sports"), new("bake the bread for forty minutes", null, "food"),
            new("hello", null, "other"), new("a great goal in the final minute", null, "food") };
        var labels = new LabelSet(model.Labels);
        var metrics = ClassifierEvaluation.Evaluate(model, examples, labels);
        // independently: logits of each text alone through encoder and head, then torch's cross-entropy
        model.Encoder.eval(); model.Head.eval();
        using var _ = no_grad();
        var logits = cat(examples.Select(e =>
        {
            var t = PhaseTune.Text.TokenBatch.Encode(model.Tokenizer, [e.Text], 32);
            return model.Head.forward(model.Encoder.forward(t.Ids, t.Mask, t.Types));
        }).ToList(), 0);
        var gold = tensor(examples.Select(e => (long)labels.IndexOf(e.Label)).ToArray());
        double expected = nn.functional.cross_entropy(logits, gold).item<float>();
        Assert.True(expected > 0.05, "a loss near 0 would not tell a wrong mean from a right one");
        Assert.Equal(expected, metrics.CrossEntropy!.Value, 4);
        Assert.Equal(expected, metrics.ToJson()["cross_entropy"]!.GetValue<double>(), 4);
    }
}
