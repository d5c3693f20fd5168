using PhaseTune.Augmentation;
using PhaseTune.Data;
using PhaseTune.IO;
using Xunit;

namespace PhaseTune.Tests.Augmentation;

public class ImbalanceAndPairsTests
{
    [Theory]
    [InlineData(1000, 1)]
    [InlineData(200, 1)]
    [InlineData(100, 1)]
    [InlineData(50, 2)]
    [InlineData(10, 3)]
    [InlineData(1, 4)]
    public void NormalModeMatchesTheWorkedExample(int n, int factor) =>
        Assert.Equal(factor, ImbalanceCorrection.Factor(n, 1000, ImbalanceMode.Normal));

    [Theory]
    [InlineData(1000, 1)]
    [InlineData(200, 5)]    // ln 5 · 20 / ln 1000 = 4.66
    [InlineData(100, 7)]    // 6.67
    [InlineData(50, 9)]     // 8.67
    [InlineData(10, 13)]    // 13.33
    [InlineData(1, 20)]
    public void ExtraModeUsesMaxRatio20(int n, int factor) =>
        Assert.Equal(factor, ImbalanceCorrection.Factor(n, 1000, ImbalanceMode.Extra));

    [Fact]
    public void NoneModeAndDegenerateSizesLeaveClassesAlone()
    {
        Assert.Equal(1, ImbalanceCorrection.Factor(1, 1000, ImbalanceMode.None));
        Assert.Equal(1, ImbalanceCorrection.Factor(1, 1, ImbalanceMode.Normal));
    }

    [Fact]
    public void ApplyReplicatesSmallClassesAndNoisesOnlyLongCopies()
    {
        var train = new List<Example>();
        for (int i = 0; i < 1000; i++) train.Add(new Example($"big {i}", null, "big"));
        train.Add(new Example("the cat is on the mat and it is asleep now", null, "tiny"));   // 11 words, ≥ 6
        train.Add(new Example("a cat", null, "tiny"));                                            // short: copied verbatim
        var result = ImbalanceCorrection.Apply(train, ImbalanceMode.Normal, minWords: 6, new Random(1));
        // tiny has n = 2: f = ln(500)·4/ln(1000) = 3.6 → 4 copies in all
        Assert.Equal(8, result.Count(e => e.Label == "tiny"));
        Assert.Equal(1000, result.Count(e => e.Label == "big"));
        Assert.Equal(4, result.Count(e => e.Text == "a cat"));
        var longCopies = result.Where(e => e.Label == "tiny" && e.Text != "a cat").Skip(1).ToList();
        Assert.Equal(3, longCopies.Count);
        Assert.All(longCopies, c => Assert.All(c.Text.Split(' '), w => Assert.Contains(w, train[1000].Text.Split(' '))));
        Assert.Contains(longCopies, c => c.Text != train[1000].Text);   // some stop-words went
        Assert.All(longCopies, c => Assert.Contains("cat", c.Text));     // content words always stay
    }

    static List<Example> Toy(int perClass, params string[] labels) =>
        labels.SelectMany(l => Enumerable.Range(0, perClass).Select(i => new Example($"{l} text {i}", null, l))).ToList();

    [Theory]
    [InlineData(12, 7, 24)]
    [InlineData(12, 2, 12)]
    [InlineData(1, 60, 5)]
    public void CopiesFollowAugTimesFloorLog2C(int aug, int classes, int copies) => Assert.Equal(copies, PairBuilder.Copies(aug, classes));

    [Fact]
    public void PairsAreUniqueUnorderedBalancedAndNeverSelf()
    {
        var data = Toy(30, "a", "b", "c", "d");
        var labels = LabelSet.FromTrain(data, null);
        var pairs = PairBuilder.Build(data, labels, aug: 3, new Random(7));
        Assert.NotEmpty(pairs);
        Assert.All(pairs, p => Assert.NotEqual(p.A, p.B));
        var keys = pairs.Select(p => string.CompareOrdinal(p.A, p.B) < 0 ? (p.A, p.B) : (p.B, p.A)).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(pairs.Count(p => p.Target == 1), pairs.Count(p => p.Target == 0));
        Assert.All(pairs, p => Assert.Equal(p.Target == 1, p.A.Split(' ')[0] == p.B.Split(' ')[0]));
    }

    [Fact]
    public void HierarchicalTargetsAreTheFractionOfMatchingLeadingLevels()
    {
        var labels = new LabelSet(["World/Politics", "World/Sports", "Tech/AI"], "/");
        Assert.Equal(1f, PairBuilder.Target("World/Politics", "World/Politics", labels));
        Assert.Equal(0.5f, PairBuilder.Target("World/Politics", "World/Sports", labels));
        Assert.Equal(0f, PairBuilder.Target("World/Politics", "Tech/AI", labels));

        var data = new List<Example>();
        foreach (var l in labels.Names) for (int i = 0; i < 20; i++) data.Add(new Example($"{l} {i}", null, l));
        var pairs = PairBuilder.Build(data, labels, aug: 4, new Random(3));
        var counts = pairs.GroupBy(p => p.Target).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([0f, 0.5f, 1f], counts.Keys.Order());
        Assert.Single(counts.Values.Distinct());   // each target value capped at the rarest's count
    }

    [Fact]
    public void DeletionNoiseDeletesTheConfiguredFractionAndIsSeeded()
    {
        string text = string.Join(' ', Enumerable.Range(0, 20000).Select(i => $"w{i}"));
        var noisy = DeletionNoise.Apply(text, 0.6, new Random(5));
        double kept = noisy.Split(' ').Length / 20000.0;
        Assert.InRange(kept, 0.38, 0.42);
        Assert.Equal(noisy, DeletionNoise.Apply(text, 0.6, new Random(5)));
        Assert.NotEqual(noisy, DeletionNoise.Apply(text, 0.6, new Random(6)));
        // at least one word always survives, even at ratio 0.99 on a one-word text
        for (int s = 0; s < 50; s++) Assert.Equal("hello", DeletionNoise.Apply("hello", 0.99, new Random(s)));
        // words keep their order
        var words = noisy.Split(' ').Select(w => int.Parse(w[1..])).ToArray();
        Assert.Equal(words.Order(), words);
    }

    [Fact]
    public void EpochNoiseIsRedrawnPerEpochFromTheRunSeed()
    {
        string text = string.Join(' ', Enumerable.Range(0, 50).Select(i => $"w{i}"));
        string Epoch(int seed, int epoch) => DeletionNoise.Apply(text, 0.6, Seeds.For(seed, "dae-noise", epoch));
        Assert.Equal(Epoch(1, 0), Epoch(1, 0));
        Assert.NotEqual(Epoch(1, 0), Epoch(1, 1));
        Assert.NotEqual(Epoch(1, 0), Epoch(2, 0));
    }
}
