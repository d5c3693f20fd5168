using System.Diagnostics;
using System.Text.Json.Nodes;
using PhaseTune.Runs;
using PhaseTune.Models;
using Xunit;

namespace PhaseTune.Tests.Cli;

public class TrainCommandTests
{
    static readonly string Snips = Path.Combine(Paths.Shared, "datasets", "snips2");
    static readonly string Vocab = Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt");

    [Fact]
    public void ThreePhaseTrainOnA300ExampleSliceBeatsTheMajorityClassInUnderTwoMinutes()
    {
        string dir = Paths.TempDir();
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = CliRunner.Run("train", "--data", Snips, "--limit", "300", "--model", "scratch:tiny", "--vocab", Vocab,
            "--phases", "dae,cl,ft", "--out", dir, "--cl-aug", "2", "--ft-epochs", "10", "--patience", "4", "--pooling", "mean",
            "--seed", "1", "--quiet");
        clock.Stop();
        Assert.True(code == 0, stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"took {clock.Elapsed}");
        Assert.Contains("test: accuracy", stdout);

        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")))!;
        var test = metrics["test"]!;
        int n = test["count"]!.GetValue<int>();
        var support = test["per_class"]!.AsObject().Select(kv => kv.Value!["support"]!.GetValue<int>()).ToArray();
        Assert.Equal(7, support.Length);
        double majority = (double)support.Max() / n;
        double accuracy = test["accuracy"]!.GetValue<double>();
        Assert.True(accuracy > majority + 0.2, $"accuracy {accuracy:F3} vs majority {majority:F3}");
        foreach (var key in new[] { "macro_precision", "macro_recall", "macro_f1", "confusion_matrix" }) Assert.NotNull(test[key]);
        Assert.NotNull(metrics["dev"]!["accuracy"]);
        Assert.True(metrics["phase_seconds"]!.AsObject().Count == 3);
        // the dev set's cluster quality at the start and after each phase; fine-tuning clusters the classes (this slice's
        // contrastive phase is a dozen steps: too short to move it)
        var quality = metrics["cluster_quality"]!.AsObject();
        Assert.Equal(["start", "dae", "cl", "ft"], quality.Select(kv => kv.Key));
        double Silhouette(string phase) => quality[phase]!["silhouette_cosine"]!.GetValue<double>();
        Assert.True(Silhouette("ft") > Silhouette("start") + 0.3, $"silhouette {Silhouette("start"):F3} at the start, {Silhouette("ft"):F3} after ft");
        Assert.Contains($"dev silhouette (cosine, by label): start {Silhouette("start"):F3} → dae", stdout);

        var log = File.ReadAllLines(Path.Combine(dir, "log.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["dae", "cl", "ft"], log.Select(l => l["phase"]!.GetValue<string>()).Distinct());
        Assert.All(log, l => Assert.True(l["loss"] is not null && l["lr"] is not null && l["epoch"] is not null && l["step"] is not null));

        string model = Path.Combine(dir, "model");
        foreach (var f in new[] { "config.json", "model.safetensors", "vocab.txt", "head.safetensors", "labels.json", "training_config.json", "README.md" })
            Assert.True(File.Exists(Path.Combine(model, f)), f);
        AssertModelCard(Path.Combine(model, "README.md"), metrics);
        // plots: each phase's loss, the dev curve, the confusion matrix and a map where the run starts and after each phase
        var pngs = Directory.GetFiles(Path.Combine(dir, "plots")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(new[] { "confusion.png", "dev.png", "embeddings-cl.png", "embeddings-dae.png", "embeddings-ft.png", "embeddings-start.png",
            "loss-cl.png", "loss-dae.png", "loss-ft.png" }, pngs);
        foreach (var png in pngs) PlotAssert.NotBlank(Path.Combine(dir, "plots", png!));
        Assert.Equal(pngs, Directory.GetFiles(Path.Combine(model, "plots")).Select(Path.GetFileName).Order().ToArray());
        Assert.Contains("![confusion](plots/confusion.png)", File.ReadAllText(Path.Combine(model, "README.md")));
        var (counts, labels) = PhaseTune.Reports.RunPlots.Confusion(test.AsObject());
        var matrix = test["confusion_matrix"]!.AsArray();
        for (int r = 0; r < labels.Count; r++)
            for (int col = 0; col < labels.Count; col++) Assert.Equal(matrix[r]![col]!.GetValue<int>(), counts[r, col]);
        Assert.Equal(n, counts.Cast<double>().Sum());
        Assert.Equal(700, File.ReadLines(Path.Combine(dir, "embeddings", "ft.csv")).Count() - 1);
        // `report` writes the same card again from the run's files
        string card = File.ReadAllText(Path.Combine(model, "README.md"));
        File.Delete(Path.Combine(model, "README.md"));
        var (rcode, _, rerr) = CliRunner.Run("report", dir);
        Assert.True(rcode == 0, rerr);
        Assert.Equal(card, File.ReadAllText(Path.Combine(model, "README.md")));

        // eval reproduces the test metrics; predict writes one line per input with scores summing to 1
        var (ecode, eout, eerr) = CliRunner.Run("eval", "--model", model, "--data", Path.Combine(Snips, "test.jsonl"));
        Assert.True(ecode == 0, eerr);
        Assert.Equal(accuracy, JsonNode.Parse(eout)!["accuracy"]!.GetValue<double>(), 6);
        string input = Path.Combine(dir, "in.txt"), output = Path.Combine(dir, "pred.jsonl");
        File.WriteAllLines(input, ["play the new album by adele", "will it rain in boston tomorrow"]);
        var (pcode, _, perr) = CliRunner.Run("predict", "--model", model, "--input", input, "--output", output);
        Assert.True(pcode == 0, perr);
        var preds = File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(2, preds.Count);
        Assert.All(preds, p => Assert.Equal(1.0, p["scores"]!.AsObject().Sum(kv => kv.Value!.GetValue<double>()), 4));
        Assert.Equal("play the new album by adele", preds[0]["text"]!.GetValue<string>());
    }

    static void AssertFails(string expected, params string[] args)
    {
        var (code, _, stderr) = CliRunner.Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public void BadTrainInputsFailWithClearErrors()
    {
        string dir = Paths.TempDir();
        AssertFails("needs --vocab", "train", "--data", Snips, "--model", "scratch:tiny", "--out", dir);
        AssertFails("phases 'cl,dae,ft' not supported", "train", "--data", Snips, "--model", "scratch:tiny", "--vocab", Vocab, "--phases", "cl,dae,ft", "--out", dir);
        AssertFails("data directory not found", "train", "--data", Path.Combine(dir, "none"), "--model", "scratch:tiny", "--vocab", Vocab, "--out", dir);
        AssertFails("unknown scratch preset 'huge'", "train", "--data", Snips, "--model", "scratch:huge", "--vocab", Vocab, "--out", dir);
        string data = Path.Combine(dir, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "train.jsonl"), "{\"text\": \"a b\", \"label\": \"x\"}\n{\"text\": \"c d\", \"label\": \"y\"}\n");
        File.WriteAllText(Path.Combine(data, "dev.jsonl"), "{\"text\": \"a b\", \"label\": \"z\"}\n");
        AssertFails("labels not seen in train: 'z'", "train", "--data", data, "--model", "scratch:tiny", "--vocab", Vocab, "--out", dir);
        File.WriteAllText(Path.Combine(data, "dev.jsonl"), "{\"text\": \"a b\", \"label\": \"x\"}\n{\"text\": }\n");
        AssertFails("dev.jsonl:2: malformed JSON", "train", "--data", data, "--model", "scratch:tiny", "--vocab", Vocab, "--out", dir);
        string config = Path.Combine(dir, "c.json");
        File.WriteAllText(config, "{\"dae\": {\"epochs\": 1, \"learning_rate\": 3}}");
        AssertFails("c.json", "train", "--data", Snips, "--model", "scratch:tiny", "--vocab", Vocab, "--config", config, "--out", dir);
        Assert.False(File.Exists(Path.Combine(dir, "metrics.json")));
    }

    [Fact]
    public void ConfigFileSetsOptionsAndFlagsOverrideIt()
    {
        string dir = Paths.TempDir(), config = Path.Combine(dir, "c.json");
        File.WriteAllText(config, "{\"max_length\": 24, \"ft\": {\"max_epochs\": 1, \"head_activation\": \"tanh\"}, \"cl\": {\"aug\": 1}}");
        var (code, _, stderr) = CliRunner.Run("train", "--data", Snips, "--limit", "60", "--model", "scratch:tiny", "--vocab", Vocab,
            "--phases", "ft", "--config", config, "--max-length", "20", "--out", dir, "--quiet");
        Assert.True(code == 0, stderr);
        var resolved = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "model", "training_config.json")))!;
        Assert.Equal(20, resolved["max_length"]!.GetValue<int>());          // flag beats file
        Assert.Equal("tanh", resolved["ft"]!["head_activation"]!.GetValue<string>());   // file beats default
        Assert.Equal(1, resolved["cl"]!["aug"]!.GetValue<int>());
        Assert.Equal(1e-3, resolved["ft"]!["lr"]!.GetValue<double>());      // scratch default survives the merge
        // a C# caller resolving the same flags through the library gets the very same configuration; the run
        // records what precision auto (the default) chose on this machine
        Assert.Equal(Autocast.Name(Autocast.Resolve("auto")), resolved["precision"]!.GetValue<string>());
        var flags = new[] { ConfigOptions.Phases.Overrides("ft"), ConfigOptions.Run.Single(o => o.Flag == "--max-length").Overrides("20") };
        var library = ConfigResolver.Resolve("scratch:tiny", config, flags.SelectMany(f => f));
        Assert.Equal("auto", library.Precision);
        Assert.Equal(File.ReadAllText(Path.Combine(dir, "model", "training_config.json")),
            (library with { Precision = Autocast.Name(Autocast.Resolve(library.Precision)) }).ToJson());
    }

    /// <summary>The card's YAML front matter parses, says what the run was, and its numbers are metrics.json's.</summary>
    static void AssertModelCard(string path, JsonNode metrics)
    {
        string text = File.ReadAllText(path);
        Assert.StartsWith("---\n", text);
        string yaml = text[4..text.IndexOf("\n---\n", 4)];
        var front = (Dictionary<object, object>)new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(yaml)!;
        Assert.Equal(("phasetune", "text-classification"), ((string)front["library_name"], (string)front["pipeline_tag"]));
        Assert.Equal(["snips2"], ((List<object>)front["datasets"]).Cast<string>());
        Assert.Contains("dae+cl+ft", ((List<object>)front["tags"]).Cast<string>());
        Assert.False(front.ContainsKey("base_model"));   // scratch:tiny has none
        var result = (Dictionary<object, object>)((List<object>)((Dictionary<object, object>)((List<object>)front["model-index"])[0])["results"])[0];
        var scores = ((List<object>)result["metrics"]).Cast<Dictionary<object, object>>().ToDictionary(m => (string)m["type"], m => double.Parse((string)m["value"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(metrics["test"]!["accuracy"]!.GetValue<double>(), scores["accuracy"]);
        Assert.Equal(metrics["test"]!["macro_f1"]!.GetValue<double>(), scores["f1"]);
        Assert.Equal("test", (string)((Dictionary<object, object>)result["dataset"])["split"]);
        string body = text[(text.IndexOf("\n---\n", 4) + 5)..];
        Assert.Contains($"| test | 700 | {metrics["test"]!["accuracy"]!.GetValue<double>() * 100:F2} |", body);
        Assert.Contains($"| cl | {metrics["cluster_quality"]!["cl"]!["silhouette_cosine"]!.GetValue<double>():F3} |", body);
    }
}
