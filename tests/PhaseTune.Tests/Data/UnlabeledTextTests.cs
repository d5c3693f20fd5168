using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.Phases;
using PhaseTune.Runs;
using Xunit;

namespace PhaseTune.Tests.Data;

public class UnlabeledTextTests
{
    [Fact]
    public void UnlabelledTextsAreDeduplicatedAndNeverADevOrTestTextAndReachTheDaePhaseOnly()
    {
        string dir = Paths.TempDir(), data = Path.Combine(dir, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "train.jsonl"), string.Join("\n", ToyModels.Corpus().Select(e => new JsonObject { ["text"] = e.Text, ["label"] = e.Label }.ToJsonString())) + "\n");
        File.WriteAllText(Path.Combine(data, "dev.jsonl"), "{\"text\": \"a dev sentence about football\", \"label\": \"sports\"}\n");
        File.WriteAllText(Path.Combine(data, "test.jsonl"), "{\"text\": \"a test sentence about soup\", \"label\": \"food\"}\n");
        string lines = Path.Combine(dir, "more.txt"), jsonl = Path.Combine(dir, "more.jsonl");
        File.WriteAllText(lines, $"the referee blew the whistle\n{ToyModels.Sports[0]}\na dev sentence about football\n\nthe referee blew the whistle\n");
        File.WriteAllText(jsonl, "{\"text\": \"a test sentence about soup\"}\n{\"text\": \"grill the fish for ten minutes\"}\n");
        var splits = new DataOptions { Dir = data, Unlabeled = [lines, jsonl] }.Load(1, null);
        Assert.Equal(["the referee blew the whistle", "grill the fish for ten minutes"], splits.Unlabeled);
        Assert.Equal(12, splits.Train.Count);

        // text-only objectives (pretrain mlm, dae) read the same: dev for their selection, test only to keep it out
        var texts = new DataOptions { Dir = data, Unlabeled = [lines, jsonl] }.LoadTexts();
        Assert.Equal(splits.Unlabeled, texts.Unlabeled);
        Assert.Equal(["a dev sentence about football"], texts.Dev.Select(e => e.Text));
        Assert.Equal(12, texts.Train.Count);

        string run = Path.Combine(dir, "run");
        var c = new TrainConfig { BatchSize = 4, MaxLength = 32, Phases = [PhaseKind.Dae, PhaseKind.Contrastive, PhaseKind.FineTune],
            Dae = new DaeConfig { Epochs = 1 }, Cl = new ContrastiveConfig { Aug = 1 }, Ft = new FineTuneConfig { MaxEpochs = 1 } };
        TrainRun.Run(ToyModels.Encoder(2), ToyModels.Tokenizer, splits, c, run);
        var examples = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")))!["phase_examples"]!;
        Assert.Equal(14, examples["dae"]!.GetValue<int>());
        Assert.Equal(12, examples["ft"]!.GetValue<int>());
        Assert.True(examples["cl"]!.GetValue<int>() <= 12 * 11 / 2);
        var joint = PhaseFactory.Create(PhaseKind.Joint, new PhaseTune.Models.SentenceEncoder(ToyModels.Encoder(2), PhaseTune.Models.PoolingMode.Cls),
            ToyModels.Tokenizer, splits, c);
        Assert.Equal(14 + ((ContrastivePhase)PhaseFactory.Create(PhaseKind.Contrastive, new PhaseTune.Models.SentenceEncoder(ToyModels.Encoder(2),
            PhaseTune.Models.PoolingMode.Cls), ToyModels.Tokenizer, splits, c)).Pairs.Count, joint.ExampleCount);
    }
}
