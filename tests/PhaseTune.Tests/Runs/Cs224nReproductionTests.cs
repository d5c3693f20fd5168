using System.Diagnostics;
using System.Text.Json.Nodes;
using PhaseTune.MultiTask;
using PhaseTune.Runs;
using PhaseTune.Tests.Cli;
using Xunit;

namespace PhaseTune.Tests.Runs;

public class Cs224nReproductionTests
{
    static string TablePath => Path.Combine(Paths.RepoRoot, "examples", "cs224n", "table3.toml");

    [Fact]
    public void EveryRowsConfigCarriesTheReportsTable2Settings()
    {
        var t = Cs224nTable.Load(TablePath);
        Assert.Equal(Enumerable.Range(1, 15), t.Rows.Select(r => r.Exp));
        var c = t.Rows.ToDictionary(r => r.Exp, r => MultiTaskConfig.Load(r.Config));
        // exp: epochs, batch size, head dropout (Table 2)
        (int Epochs, int Batch, double Dropout)[] table2 =
        [
            (10, 32, 0.3), (3, 32, 0.5), (3, 32, 0.5), (3, 16, 0.5), (3, 32, 0.5), (5, 32, 0.5), (5, 32, 0.5), (5, 64, 0.5),
            (5, 64, 0.5), (5, 64, 0.5), (5, 64, 0.3), (5, 8, 0.1), (5, 64, 0.5), (5, 64, 0.1), (5, 64, 0.1),
        ];
        for (int exp = 1; exp <= 15; exp++)
        {
            Assert.Equal(table2[exp - 1], (c[exp].Epochs, c[exp].BatchSize, c[exp].HeadDropout));
            Assert.Equal(1e-5, c[exp].Lr);
            Assert.Equal(c[exp].Lr, c[exp].LrHead);
            Assert.Equal(exp > 3, c[exp].SharedLayer);                     // "+ CL" from row 4 on
            Assert.Equal(exp >= 10 ? 2.0 : 1.0, c[exp].Tasks.Single(x => x.Name == "quora").Weight);   // 2x weight for QQP
            Assert.Equal(exp >= 7 ? "mtdnn" : exp == 2 ? "sequential" : "round_robin", c[exp].TrainingOrder);
        }
        Assert.True(c[1].FreezeEncoder);
        Assert.Equal(["sst5"], c[1].TaskOrder);
        Assert.All(c[1].Tasks.Skip(1), x => Assert.Equal("concat", x.Encoding));
        Assert.Equal(["quora", "sst5", "stsb"], c[2].TaskOrder);
        Assert.Equal(["sst5", "stsb", "sst5", "stsb", "quora"], c[3].TaskOrder);
        Assert.Equal(["stsb", "sst5", "sst5", "stsb", "quora"], c[6].TaskOrder);
        Assert.Equal(0.5, c[6].SharedDropout);
        Assert.Equal(("dph", "ph"), (c[9].Tasks[1].Encoding, c[9].Tasks[2].Encoding));
        Assert.Equal(("dpha", "ph"), (c[10].Tasks[1].Encoding, c[10].Tasks[2].Encoding));
        Assert.Equal(("dpha", "dpha"), (c[11].Tasks[1].Encoding, c[11].Tasks[2].Encoding));
        Assert.True(c[12].Pcgrad);
        Assert.Equal("mean", c[12].PcgradReduction);
        Assert.Equal("simcse-sup", c[15].Pretrain);
        Assert.All(c.Values, x => Assert.Equal(("pooler", "constant", 0.0, 0.0, true), (x.Pooling, x.Schedule, x.WeightDecay, x.MaxGradNorm, x.TrainScores)));
    }

    [Fact]
    public void EveryRowRunsAtSmokeScaleAndTheTableSetsTheReportBesideOurs()
    {
        string dir = Paths.TempDir();
        var t = Cs224nTable.Load(TablePath);
        var scale = Cs224nScale.Parse("smoke");
        var steps = MultiTaskReproduction.Plan(TablePath, t, scale, dir);
        var clock = Stopwatch.StartNew();
        string md = MultiTaskReproduction.Run(t, steps, scale, dir);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "table.json")))!;
        var rows = json["rows"]!.AsArray();
        Assert.Equal(15, rows.Count);
        foreach (var row in rows)
        {
            var ours = row!["ours"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();   // every cell present: train and dev scored
            Assert.Equal(7, ours.Length);
            Assert.All(ours, v => Assert.InRange(v, -1, 1));
            Assert.Equal(new[] { ours[1], ours[3], ours[5] }.Average(), ours[6], 9);
        }
        // the report's numbers beside ours, the majority-class row, the test-set row
        Assert.Contains("| 12 | MT-DNN + DPHA + CL + GS | report | 0.858 | 0.510 | 0.962 | 0.882 | 0.891 | 0.876 | 0.756 |", md);
        Assert.Contains("| – | majority class / constant | ours |", md);
        Assert.Contains("| Test set | row 15 | report | N/A | 0.534 |", md);
        Assert.Contains("from-scratch numbers", md);
        Assert.Equal(md, File.ReadAllText(Path.Combine(dir, "table.md")));
        // row 2 is sequential: one epoch per task at smoke scale, three dev checks; row 15 pre-trained with supervised SimCSE
        Assert.Equal(3, JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "02", "metrics.json")))!["dev_history"]!.AsArray().Count);
        Assert.Contains("simcse-sup", JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "15", "metrics.json")))!["phase_seconds"]!.AsObject().Select(kv => kv.Key));
        // a second run reuses every finished row
        clock.Restart();
        Assert.Equal(md, MultiTaskReproduction.Run(t, steps, scale, dir));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{clock.Elapsed}");
    }

    [Fact]
    public void DryRunListsEveryRowAndTheCommandThatRunsItAlone()
    {
        var (code, stdout, stderr) = CliRunner.Run("reproduce", "cs224n", "--table", TablePath, "--scale", "smoke", "--dry-run", "--out", Path.Combine(Paths.TempDir(), "r"));
        Assert.True(code == 0, stderr);
        Assert.Equal(15, stdout.Split('\n').Count(l => l.StartsWith("row ")));
        Assert.Contains("phasetune multitask --config", stdout);
        Assert.Contains("12-mtdnn-dpha-cl-gs.toml", stdout);
        Assert.Contains("--model scratch:tiny", stdout);
        Assert.Contains("--limit-per-task 16 --max-steps 2", stdout);
    }
}
