using System.Text.Json.Nodes;
using PhaseTune.Augmentation;
using PhaseTune.Data;
using PhaseTune.Phases;
using PhaseTune.Runs;
using PhaseTune.Text;
using Xunit;

namespace PhaseTune.Tests.Runs;

public class MaxLengthRuleTests
{
    [Fact]
    public void AutoIsOnePointTwoTimesTheLongestTrainingTextCappedAtTheModelsMaximum()
    {
        var data = ToyModels.Corpus();
        int longest = data.Max(e => ToyModels.Tokenizer.Encode(e.Text).Length);
        Assert.Equal((int)Math.Ceiling(1.2 * longest), MaxLengthRule.For(ToyModels.Tokenizer, data, 512));
        Assert.Equal(longest, MaxLengthRule.For(ToyModels.Tokenizer, data, longest));   // capped
        var pairs = new[] { new Example("a short one", "and a second text that is much longer than the first", "x") };
        Assert.Equal((int)Math.Ceiling(1.2 * ToyModels.Tokenizer.Encode(pairs[0].Text, pairs[0].Text2).Length), MaxLengthRule.For(ToyModels.Tokenizer, pairs, 512));

        var c = ConfigResolver.Resolve("scratch:tiny", null, ConfigOptions.Run.Single(o => o.Flag == "--max-length").Overrides("auto"));
        Assert.Equal(TrainConfig.AutoMaxLength, c.MaxLength);
        Assert.Equal("auto", JsonNode.Parse(c.ToJson())!["max_length"]!.GetValue<string>());
        Assert.Contains("neither a whole number nor auto", Assert.Throws<ArgumentException>(() =>
            ConfigOptions.Run.Single(o => o.Flag == "--max-length").Overrides("long").ToList()).Message);

        // a run records the resolved value
        string dir = Paths.TempDir();
        var splits = new DataSplits(data, data, null, LabelSet.FromTrain(data, null), false);
        TrainRun.Run(ToyModels.Encoder(2), ToyModels.Tokenizer, splits, c with { Phases = [PhaseKind.FineTune], BatchSize = 4, Ft = new FineTuneConfig { MaxEpochs = 1 } }, dir);
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "model", "training_config.json")))!;
        Assert.Equal((int)Math.Ceiling(1.2 * longest), saved["max_length"]!.GetValue<int>());
    }

    [Fact]
    public void PairCopiesAreAugTimesLog2ClassesBelowAHundredClassesAndAugFromThereOn()
    {
        Assert.Equal(24, PairBuilder.Copies(12, 7));
        Assert.Equal(72, PairBuilder.Copies(12, 99));
        Assert.Equal(12, PairBuilder.Copies(12, 100));
        Assert.Equal(12, PairBuilder.Copies(12, 150));
        Assert.Equal(1, PairBuilder.Copies(0, 3));
    }
}
