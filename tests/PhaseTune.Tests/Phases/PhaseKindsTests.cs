using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.Models;
using PhaseTune.Phases;
using Xunit;

namespace PhaseTune.Tests.Phases;

public class PhaseKindsTests
{
    [Fact]
    public void EveryKindHasOneNameThatParsesBackToIt()
    {
        var kinds = Enum.GetValues<PhaseKind>();
        Assert.Equal(kinds.Length, kinds.Select(k => k.Name()).Distinct().Count());
        Assert.All(kinds, k => Assert.Equal(k, PhaseKinds.Parse(k.Name())));
        Assert.All(kinds, k => Assert.False(string.IsNullOrWhiteSpace(k.Summary())));
        var e = Assert.Throws<ArgumentException>(() => PhaseKinds.Parse("tsdae", "--phases"));
        Assert.StartsWith("--phases: unknown phase 'tsdae' (", e.Message);
        Assert.All(kinds, k => Assert.Contains(k.Name(), e.Message));
    }

    [Fact]
    public void ConfigsWriteAndReadPhasesByName()
    {
        var c = new TrainConfig { Phases = [PhaseKind.SupervisedSimCse, PhaseKind.FineTune] };
        var json = JsonNode.Parse(c.ToJson())!;
        Assert.Equal(["simcse-sup", "ft"], json["phases"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(c.Phases, System.Text.Json.JsonSerializer.Deserialize<TrainConfig>(c.ToJson(), TrainConfig.Json)!.Phases);
    }

    [Fact]
    public void TheFactoryBuildsEveryConfigPhaseUnderItsOwnName()
    {
        var data = ToyModels.Corpus();
        var splits = new DataSplits(data, data, null, LabelSet.FromTrain(data, null), false);
        var c = new TrainConfig { BatchSize = 4, MaxLength = 32 };
        foreach (var kind in Enum.GetValues<PhaseKind>().Where(k => k != PhaseKind.MultiTask))
        {
            var encoder = new SentenceEncoder(ToyModels.Encoder(1), PoolingMode.Cls);
            using var phase = PhaseFactory.Create(kind, encoder, ToyModels.Tokenizer, splits, c);
            Assert.Equal(kind.Name(), phase.Name);
            Assert.True(phase.BeginEpoch(0) > 0, kind.Name());
        }
        Assert.Throws<ArgumentException>(() => PhaseFactory.Create(PhaseKind.MultiTask,
            new SentenceEncoder(ToyModels.Encoder(1), PoolingMode.Cls), ToyModels.Tokenizer, splits, c));
    }

    [Fact]
    public void ClassifierRecipesEndInFineTuningAndOthersAreRefused()
    {
        Assert.All(PhaseKinds.ClassifierRecipes, r => Assert.Equal(PhaseKind.FineTune, r[^1]));
        Assert.Equal(2 * (5 + PhaseKinds.EmbeddingObjectives.Length), PhaseKinds.ClassifierRecipes.Length);   // each also after mlm
        var e = Assert.Throws<ArgumentException>(() => new TrainConfig { Phases = [PhaseKind.Contrastive, PhaseKind.Dae, PhaseKind.FineTune] }.ValidateClassifierRecipe("x.toml"));
        Assert.Contains("x.toml: phases 'cl,dae,ft' not supported", e.Message);
    }

    [Fact]
    public void EachPhaseUsesItsOwnEpsilonAndWeightDecay()
    {
        var data = ToyModels.Corpus();
        var splits = new DataSplits(data, data, null, LabelSet.FromTrain(data, null), false);
        var c = new TrainConfig
        {
            BatchSize = 4, MaxLength = 32, WeightDecay = 0.3,
            Dae = new DaeConfig { Eps = 1e-6, WeightDecay = 0 }, Cl = new ContrastiveConfig { Eps = 1e-7 }, Ft = new FineTuneConfig { Eps = 2e-5, WeightDecay = 0.05 },
        };
        foreach (var (kind, eps, decay) in new[] { (PhaseKind.Dae, 1e-6, 0.0), (PhaseKind.Contrastive, 1e-7, 0.3), (PhaseKind.FineTune, 2e-5, 0.05) })
        {
            using var phase = PhaseFactory.Create(kind, new SentenceEncoder(ToyModels.Encoder(1), PoolingMode.Cls), ToyModels.Tokenizer, splits, c);
            var adam = Assert.IsType<PhaseTune.Training.Optimization.FusedAdamW>(phase.Optimizer);
            Assert.Equal(eps, adam.Eps);
            Assert.Equal(decay, adam.Groups.Where(g => !g.Name.EndsWith(".no_decay")).Select(g => g.WeightDecay).Distinct().Single());
        }
    }
}
