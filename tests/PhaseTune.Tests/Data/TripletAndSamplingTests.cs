using System.Diagnostics;
using PhaseTune.Data;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Text;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Data;

public class TripletAndSamplingTests
{
    static string Write(string name, string text)
    {
        string path = Path.Combine(Paths.TempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void NliTripletsAreReadFromTextPositiveNegativeWithoutALabel()
    {
        var rows = DatasetReader.Read(Write("nli.jsonl",
            "{\"text\": \"a man plays guitar\", \"positive\": \"a person makes music\", \"negative\": \"nobody is playing\"}\n"));
        Assert.Equal(("a man plays guitar", "a person makes music", "nobody is playing", ""), (rows[0].Text, rows[0].Text2, rows[0].Negative, rows[0].Label));
        var csv = DatasetReader.Read(Write("nli.csv", "text,positive,negative,label\nx,y,z,e\n"));
        Assert.Equal(("y", "z", "e"), (csv[0].Text2, csv[0].Negative, csv[0].Label));
        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(Write("bad.jsonl", "{\"text\": \"a\", \"negative\": \"b\"}\n")));
        Assert.Contains("bad.jsonl:1: triplet has no 'positive' text", e.Message);
    }

    static TrainConfig Config(PhaseKind kind) => new()
    {
        Seed = 2, BatchSize = 3, MaxLength = 32, Phases = [kind], Pretrain = new PretrainConfig { Epochs = 1, Lr = 1e-3 },
    };

    static readonly List<Example> Triplets =
    [
        new("a man plays the guitar", "a person makes music", "") { Negative = "nobody is playing anything" },
        new("two dogs run on grass", "animals are outside", "") { Negative = "the dogs are asleep indoors" },
        new("a woman reads a book", "someone is reading", "") { Negative = "the woman is swimming" },
    ];

    [Fact]
    public void SupervisedSimCseOnTripletsScoresEachTextAgainstItsOwnPositiveAndNegative()
    {
        var enc = new SentenceEncoder(ToyModels.Encoder(5), PoolingMode.Cls);
        var tok = ToyModels.Tokenizer;
        using var phase = new SupervisedSimCsePhase(enc, tok, Triplets, Config(PhaseKind.SupervisedSimCse));
        phase.BeginEpoch(0);
        phase.SetTraining(false);
        using var _ = no_grad();
        var idx = phase.Batches[0];
        Tensor E(Func<Example, string> pick)
        {
            var t = TokenBatch.Encode(tok, idx.Select(i => pick(Triplets[i])), 32);
            return enc.forward(t.Ids, t.Mask, t.Types);
        }
        var expected = new SimCseLoss(0.05).Forward(new RankingBatch(E(e => e.Text), E(e => e.Text2!), E(e => e.Negative!)));
        Assert.Equal(expected.item<float>(), phase.Loss(0).item<float>(), 4);
        // the negatives matter: the same batch without them scores differently
        Assert.NotEqual(new SimCseLoss(0.05).Forward(new RankingBatch(E(e => e.Text), E(e => e.Text2!))).item<float>(), phase.Loss(0).item<float>(), 3);

        using var mnrl = new MnrlPhase(enc, tok, Triplets, Config(PhaseKind.Mnrl));
        mnrl.BeginEpoch(0);
        mnrl.SetTraining(false);
        idx = mnrl.Batches[0];
        var ranked = new MultipleNegativesRankingLoss(20).Forward(new RankingBatch(E(e => e.Text), E(e => e.Text2!), E(e => e.Negative!)));
        Assert.Equal(ranked.item<float>(), mnrl.Loss(0).item<float>(), 4);

        var mixed = Triplets.Append(new Example("no negative here", "x", "")).ToList();
        Assert.Contains("has no 'negative' text", Assert.Throws<InvalidDataException>(() => new SupervisedSimCsePhase(enc, tok, mixed, Config(PhaseKind.SupervisedSimCse))).Message);
    }

    [Fact]
    public void LabelSamplerDrawsSameAndOtherLabelsCorrectly()
    {
        string[] labels = ["a", "b", "a", "c", "b", "a", "d"];
        var s = new LabelSampler(labels);
        var rng = new Random(1);
        var others = new HashSet<int>();
        for (int k = 0; k < 2000; k++)
        {
            int j = s.Other(0, rng);
            Assert.NotEqual("a", labels[j]);
            others.Add(j);
            int same = s.Same(0, rng);
            Assert.Equal("a", labels[same]);
            Assert.NotEqual(0, same);
        }
        Assert.Equal([1, 3, 4, 6], others.Order());   // every example of another label is reachable
        Assert.Equal(6, s.Same(6, rng));               // alone in its label
        Assert.Equal(0, new LabelSampler(["x", "x"]).Other(0, rng));   // no other label
    }

    [Fact]
    public void LabelSamplerIsLinearInTheData()
    {
        // 300,000 examples: rebuilding the pool of other labels per draw (the old way) is ~10^11 steps; this is O(N)
        var labels = Enumerable.Range(0, 300_000).Select(i => (i % 3).ToString()).ToArray();
        var clock = Stopwatch.StartNew();
        var s = new LabelSampler(labels);
        var rng = new Random(3);
        long sum = 0;
        for (int i = 0; i < labels.Length; i++) sum += s.Other(i, rng) + s.Same(i, rng);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
        Assert.True(sum > 0);
    }
}
