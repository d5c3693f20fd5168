using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.ModelFiles;
using PhaseTune.Phases;
using PhaseTune.Runs;
using Xunit;

namespace PhaseTune.Tests.Runs;

/// <summary>`train --model DIR` on DistilBERT and ELECTRA checkpoints: the TSDAE phase (its decoder built from the
/// encoder: no token types, ELECTRA's embeddings projection) and fine-tuning run through the library, their losses
/// fall, and the saved classifier is the same architecture under HF's names.</summary>
public class ArchitectureTrainTests
{
    static double Mean(IEnumerable<double> xs) => xs.Average();

    [Theory]
    [InlineData("tiny-distilbert")]
    [InlineData("tiny-electra")]
    public void DaeAndFineTuningLowerTheirLossesAndTheModelSavesAsItsArchitecture(string fixture)
    {
        var data = ToyModels.Corpus();
        var splits = new DataSplits(data, data, data, LabelSet.FromTrain(data, null), false);
        var c = new TrainConfig
        {
            BatchSize = 4, MaxLength = 32, Seed = 3, LogEvery = 1, Pooling = "mean", SelectChecks = 1,
            Phases = [PhaseKind.Dae, PhaseKind.FineTune],
            Dae = new DaeConfig { Epochs = 4, Lr = 2e-3 }, Ft = new FineTuneConfig { MaxEpochs = 6, Patience = 6, Lr = 3e-3, LrHead = 3e-2 },
        };
        string dir = Paths.TempDir(), source = Paths.RepoFixture(fixture);
        var result = TrainRun.Run(source, null, splits, c, dir);

        var log = File.ReadAllLines(Path.Combine(dir, "log.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Where(l => l["loss"] is not null).ToList();
        List<JsonNode> Phase(string name) => log.Where(l => l["phase"]!.GetValue<string>() == name).ToList();
        // DAE: the reconstruction loss on the dev texts with their noise drawn once (a dev_score of minus that loss, once an epoch)
        var dev = Phase("dae").Where(l => l["dev_score"] is not null).Select(l => -l["dev_score"]!.GetValue<double>()).ToList();
        Assert.True(dev.Count == 4 && dev[^1] < dev[0] - 0.2, $"{fixture} dae: dev loss {string.Join(" → ", dev.Select(v => v.ToString("F3")))}");
        // fine-tuning: the mean training loss of the last epoch below the first's, and the (easy) training texts learned
        var byEpoch = Phase("ft").GroupBy(l => l["epoch"]!.GetValue<int>()).Select(g => Mean(g.Select(l => l["loss"]!.GetValue<double>()))).ToList();
        Assert.True(byEpoch[^1] < byEpoch[0], $"{fixture} ft: loss per epoch {string.Join(" → ", byEpoch.Select(v => v.ToString("F3")))}");
        Assert.True(result.Dev.Accuracy >= 0.75, $"{fixture}: accuracy {result.Dev.Accuracy:F3} on the training texts");

        // the saved classifier: the same architecture and HF's names, loading back to the trained weights
        string model = Path.Combine(dir, "model");
        var config = EncoderConfig(model);
        Assert.Equal(fixture[5..], config["model_type"]!.GetValue<string>());
        var keys = SafeTensorsFile.Open(Path.Combine(model, "model.safetensors")).Entries.Keys.ToList();
        var original = SafeTensorsFile.Open(Path.Combine(source, "model.safetensors")).Entries.Keys
            .Where(k => !k.StartsWith("vocab_") && !k.StartsWith("discriminator_predictions.")).Select(k => k[(k.IndexOf('.') + 1)..]);
        Assert.Equal(original.Order(), keys.Order());
        var again = ClassifierDirectory.Load(model);
        var trained = result.Model.Encoder.Encoder.state_dict();
        foreach (var (k, v) in again.Encoder.Encoder.state_dict()) Assert.True(v.equal(trained[k]).all().item<bool>(), k);
        var texts = ToyModels.Food.Select(t => (t, (string?)null)).ToList();
        Assert.Equal(result.Model.PredictProba(texts).SelectMany(p => p), again.PredictProba(texts).SelectMany(p => p));
    }

    static JsonNode EncoderConfig(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
}
