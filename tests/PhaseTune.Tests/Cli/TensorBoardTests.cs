using System.Text.Json.Nodes;
using Xunit;

namespace PhaseTune.Tests.Cli;

public class TensorBoardTests
{
    /// <summary>Every scalar in DIR's event files, in order: (tag, step, value), read through the TFRecord framing.</summary>
    static List<(string Tag, long Step, float Value)> Scalars(string dir)
    {
        var scalars = new List<(string, long, float)>();
        foreach (var file in Directory.GetFiles(dir, "events.out.tfevents.*").Order())
        {
            using var r = new BinaryReader(File.OpenRead(file));
            while (r.BaseStream.Position < r.BaseStream.Length)
            {
                ulong length = r.ReadUInt64();
                r.ReadUInt32();                       // the length's CRC
                var data = r.ReadBytes((int)length);
                r.ReadUInt32();                       // the data's CRC
                var e = Tensorboard.Event.Parser.ParseFrom(data);
                if (e.Summary is null) continue;
                foreach (var v in e.Summary.Value) scalars.Add((v.Tag, e.Step, v.SimpleValue));
            }
        }
        return scalars;
    }

    [Fact]
    public void ReportToTensorboardWritesEveryStepsLossAndTheResults()
    {
        string dir = Paths.TempDir();
        var (code, _, err) = CliRunner.Run("train", "--data", Path.Combine(Paths.Shared, "datasets", "snips2"), "--limit", "80", "--model", "scratch:tiny",
            "--vocab", Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt"), "--phases", "ft", "--ft-epochs", "2", "--out", dir,
            "--report-to", "tensorboard", "--quiet");
        Assert.True(code == 0, err);
        var scalars = Scalars(Path.Combine(dir, "tensorboard"));
        var logged = File.ReadAllLines(Path.Combine(dir, "log.jsonl")).Select(l => JsonNode.Parse(l)!).Where(l => l["loss"] is not null).ToList();
        // every step (log.jsonl keeps every 10th and the last): the logged losses among them
        var losses = scalars.Where(s => s.Tag == "ft/loss").ToDictionary(s => s.Step, s => s.Value);
        long steps = logged[^1]["step"]!.GetValue<long>();
        Assert.Equal(Enumerable.Range(1, (int)steps).Select(i => (long)i), losses.Keys);
        Assert.All(logged, l => Assert.Equal(l["loss"]!.GetValue<float>(), losses[l["step"]!.GetValue<long>()]));
        Assert.Equal(steps, scalars.Count(s => s.Tag == "ft/lr"));
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")))!;
        Assert.Equal((float)metrics["test"]!["accuracy"]!.GetValue<double>(), scalars.Single(s => s.Tag == "test/accuracy").Value);
        Assert.Equal(metrics["dev_history"]!.AsArray().Count, scalars.Count(s => s.Tag == "dev/score"));
        Assert.Equal(2, scalars.Count(s => s.Tag == "dev/silhouette"));   // start, ft

        var (bad, _, berr) = CliRunner.Run("train", "--data", Path.Combine(Paths.Shared, "datasets", "snips2"), "--limit", "80", "--model", "scratch:tiny",
            "--vocab", Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt"), "--phases", "ft", "--out", Paths.TempDir(), "--report-to", "wandb");
        Assert.NotEqual(0, bad);
        Assert.Contains("--report-to: unknown 'wandb'", berr);
    }
}
