using System.Text.Json.Nodes;
using PhaseTune.Baselines;
using PhaseTune.Data;
using PhaseTune.Runs;
using PhaseTune.Tests.Cli;
using Xunit;

namespace PhaseTune.Tests.Baselines;

public class TfidfClassifierTests
{
    static readonly string[] Filler = ["today", "maybe", "really", "the", "a", "some", "later", "again", "quite", "very", "of", "it"];
    static readonly Dictionary<string, string> Keyword = new() { ["red"] = "crimson", ["green"] = "emerald", ["blue"] = "sapphire" };

    /// <summary>A text whose only signal is the label's keyword, among filler words drawn by a seeded generator.</summary>
    static string Text(string keyword, Random rng) =>
        string.Join(" ", Enumerable.Range(0, 6).Select(_ => Filler[rng.Next(Filler.Length)]).Append(keyword).OrderBy(_ => rng.Next()));

    static List<Example> Set(int perLabel, int seed)
    {
        var rng = new Random(seed);
        return Keyword.SelectMany(k => Enumerable.Range(0, perLabel).Select(_ => new Example(Text(k.Value, rng), null, k.Key))).ToList();
    }

    [Fact]
    public void AKeywordSeparableSetIsLearnedPerfectlyAndMislabelledTestRowsCountAsErrors()
    {
        var train = Set(20, 1);
        var labels = LabelSet.FromTrain(train, null);
        // test: 4 rows per label with its keyword, plus 2 rows labelled red that carry green's keyword
        var rng = new Random(2);
        var test = Set(4, 3).Concat(Enumerable.Range(0, 2).Select(_ => new Example(Text("emerald", rng), null, "red"))).ToList();
        var splits = new DataSplits(train, Set(3, 4), test, labels, false);

        var metrics = BaselineRun.Run(splits);
        Assert.Equal(1.0, metrics["dev"]!["accuracy"]!.GetValue<double>());
        var t = metrics["test"]!;
        // counted by hand: 12 right of 14; red: 4 right of 6 gold, precision 1; green: 4 gold, 6 predicted; blue perfect
        Assert.Equal(12 / 14.0, t["accuracy"]!.GetValue<double>(), 12);
        double redF1 = 2 * 1.0 * (4 / 6.0) / (1 + 4 / 6.0), greenF1 = 2 * (4 / 6.0) * 1.0 / (4 / 6.0 + 1);
        Assert.Equal((redF1 + greenF1 + 1) / 3, t["macro_f1"]!.GetValue<double>(), 12);
        Assert.Equal((1 + 4 / 6.0 + 1) / 3, t["macro_precision"]!.GetValue<double>(), 12);
        Assert.Equal((4 / 6.0 + 1 + 1) / 3, t["macro_recall"]!.GetValue<double>(), 12);
        Assert.Equal(20 * 3, metrics["phase_examples"]!["tfidf"]!.GetValue<int>());
    }

    [Fact]
    public void ScoresFollowTheLabelSetOrderAndSumToOne()
    {
        var train = Set(10, 5);
        // a label order unlike first appearance, so that a mapping by appearance would fail
        var labels = new LabelSet(["green", "blue", "red"]);
        var model = TfidfClassifier.Train(train, labels);
        foreach (var (label, keyword) in Keyword)
        {
            var p = model.Probabilities(new Example(Text(keyword, new Random(9)), null, label));
            Assert.Equal(1.0, p.Sum(), 4);
            Assert.Equal(labels.IndexOf(label), Array.IndexOf(p, p.Max()));
        }
        Assert.True(model.FeatureCount > 0);
    }

    [Fact]
    public void TheBaselineCommandWritesMetricsAndModelAndTheAblationHasATfidfRow()
    {
        string dir = Paths.TempDir(), data = Path.Combine(dir, "data");
        Directory.CreateDirectory(data);
        void Write(string name, List<Example> rows) => File.WriteAllLines(Path.Combine(data, name),
            rows.Select(e => new JsonObject { ["text"] = e.Text, ["label"] = e.Label }.ToJsonString()));
        Write("train.jsonl", Set(15, 11));
        Write("dev.jsonl", Set(3, 12));
        Write("test.jsonl", Set(3, 13));
        string outDir = Path.Combine(dir, "out");
        var (code, stdout, err) = CliRunner.Run("baseline", "--data", data, "--out", outDir);
        Assert.True(code == 0, err);
        var printed = JsonNode.Parse(stdout)!;
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")))!;
        Assert.Equal(1.0, saved["test"]!["accuracy"]!.GetValue<double>());
        Assert.Equal(saved["test"]!.ToJsonString(), printed["test"]!.ToJsonString());
        Assert.True(new FileInfo(Path.Combine(outDir, "model", "tfidf.zip")).Length > 0);
        Assert.Equal(["blue", "green", "red"], JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "model", "labels.json")))!["labels"]!
            .AsArray().Select(l => l!.GetValue<string>()).Order());

        (code, _, err) = CliRunner.Run("baseline", "--data", data, "--out", data);
        Assert.NotEqual(0, code);
        Assert.Contains("--out", err);

        string ablate = Path.Combine(dir, "ablate");
        (code, _, err) = CliRunner.Run("ablate", "--data", data, "--model", "scratch:tiny", "--vocab", Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt"),
            "--variants", "tfidf", "--seeds", "1,2", "--out", ablate, "--quiet");
        Assert.True(code == 0, err);
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(ablate, "results.json")))!;
        Assert.Equal(1.0, results["summary"]!["tfidf"]!["accuracy"]!["mean"]!.GetValue<double>());
        Assert.Equal(2, results["summary"]!["tfidf"]!["accuracy"]!["n"]!.GetValue<int>());
        Assert.Contains("| tfidf | **100.00 ± 0.00**", File.ReadAllText(Path.Combine(ablate, "results.md")));
    }
}
