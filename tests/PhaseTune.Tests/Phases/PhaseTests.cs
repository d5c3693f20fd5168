using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Text;
using PhaseTune.Training;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Phases;

public class PhaseTests
{
    static TrainConfig Config => new TrainConfig
    {
        BatchSize = 4, MaxLength = 32, Seed = 3, LogEvery = 1, CheckpointEvery = 0,
        Dae = new DaeConfig { Epochs = 1, Lr = 2e-3 }, Cl = new ContrastiveConfig { Epochs = 1, Lr = 1e-3, Aug = 6 },
        Ft = new FineTuneConfig { MaxEpochs = 3, Lr = 1e-3, LrHead = 1e-2, Patience = 5 },
    };

    [Fact]
    public void DecoderIsTiedToTheEncoderByDefaultAndUntiedOnRequest()
    {
        var enc = new SentenceEncoder(ToyModels.Encoder(1), PoolingMode.Cls);
        var tied = new DenoisingAutoEncoderLoss(enc, tieDecoder: true);
        var encParams = enc.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var decParams = tied.Decoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Same(encParams["encoder.encoder.layer.1.attention.self.query.weight"], decParams["layer.1.attention.self.query.weight"]);
        Assert.Same(encParams["encoder.embeddings.word_embeddings.weight"], decParams["embeddings.word_embeddings.weight"]);
        // one storage: writing through the decoder is seen by the encoder
        using (no_grad()) decParams["layer.0.intermediate.dense.weight"].add_(1.0);
        Assert.Equal(encParams["encoder.encoder.layer.0.intermediate.dense.weight"].sum().item<float>(),
            decParams["layer.0.intermediate.dense.weight"].sum().item<float>());
        Assert.Contains("layer.0.crossattention.self.query.weight", decParams.Keys);
        Assert.DoesNotContain(encParams.Values, p => ReferenceEquals(p, decParams["layer.0.crossattention.self.query.weight"]));

        var untied = new DenoisingAutoEncoderLoss(enc, tieDecoder: false);
        var u = untied.Decoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.NotSame(encParams["encoder.encoder.layer.1.attention.self.query.weight"], u["layer.1.attention.self.query.weight"]);
        Assert.True(u["layer.1.attention.self.query.weight"].equal(encParams["encoder.encoder.layer.1.attention.self.query.weight"]).all().item<bool>());
    }

    [Fact]
    public void DaeAndContrastiveBatchesAreGroupedByLengthFineTuningBatchesNever()
    {
        var data = ToyModels.Corpus();
        var labels = LabelSet.FromTrain(data, null);
        var lengths = data.Select(e => ToyModels.Tokenizer.Encode(e.Text, maxLength: 32).Length).ToArray();
        bool Sorted(IEnumerable<int> xs) => xs.SequenceEqual(xs.OrderByDescending(x => x));
        foreach (bool group in new[] { true, false })
        {
            var c = Config with { GroupByLength = group };
            var enc = new SentenceEncoder(ToyModels.Encoder(4), PoolingMode.Cls);
            using var dae = new DaePhase(enc, ToyModels.Tokenizer, data.Select(e => e.Text).ToList(), c);
            dae.BeginEpoch(0);
            Assert.Equal(group, dae.Batches.All(b => Sorted(b.Select(i => lengths[i]))));
            using var cl = new ContrastivePhase(enc, ToyModels.Tokenizer, data, labels, c);
            cl.BeginEpoch(0);
            int PairLength(int i) => Math.Max(ToyModels.Tokenizer.Encode(cl.Pairs[i].A, maxLength: 32).Length, ToyModels.Tokenizer.Encode(cl.Pairs[i].B, maxLength: 32).Length);
            Assert.Equal(group, cl.Batches.All(b => Sorted(b.Select(PairLength))));
            using var ft = new FineTunePhase(enc, ToyModels.Tokenizer, data, data, labels, c);
            ft.BeginEpoch(0);
            Assert.Equal(BatchOrder.Shuffled(data.Count, c.BatchSize, Seeds.For(c.Seed, "ft-order", 0)), ft.Batches);
        }
    }

    [Fact]
    public void TheDaeOptimiserUpdatesEachTiedTensorOnce()
    {
        var enc = new SentenceEncoder(ToyModels.Encoder(1), PoolingMode.Cls);
        using var phase = new DaePhase(enc, ToyModels.Tokenizer, ToyModels.Corpus().Select(e => e.Text).ToList(), Config);
        var tensors = phase.Optimizer.Parameters.ToList();
        for (int i = 0; i < tensors.Count; i++)
            for (int j = i + 1; j < tensors.Count; j++)
                Assert.False(Unsafe.AreSame(ref MemoryMarshal.GetReference(tensors[i].bytes), ref MemoryMarshal.GetReference(tensors[j].bytes)),
                    $"optimiser parameters {i} and {j} share storage");
        Assert.Single(tensors, p => p.shape.SequenceEqual(new long[] { enc.Encoder.Config.VocabSize, enc.Dimension }));
    }

    [Fact]
    public void DaeLossFallsAndTheEncoderReceivesGradients()
    {
        var enc = new SentenceEncoder(ToyModels.Encoder(2), PoolingMode.Cls);
        var texts = ToyModels.Corpus().Select(e => e.Text).ToList();
        var c = Config with { Dae = Config.Dae with { Epochs = 20 } };
        using var phase = new DaePhase(enc, ToyModels.Tokenizer, texts, c);
        var losses = new List<float>();
        bool checkedGrad = false;
        for (int epoch = 0; epoch < c.Dae.Epochs; epoch++)
        {
            int n = phase.BeginEpoch(epoch);
            phase.SetTraining(true);
            for (int b = 0; b < n; b++)
            {
                using var scope = NewDisposeScope();
                phase.Optimizer.ZeroGrad();
                var loss = phase.Loss(b);
                loss.backward();
                if (!checkedGrad)
                {
                    // the last encoder layer's FFN only matters through the pooled vector AND through the tied decoder
                    var g = enc.Encoder.Encoder.Layers[1].Output.named_parameters().First().parameter.grad;
                    Assert.True(g is not null && g.abs().sum().item<float>() > 0);
                    var emb = enc.Encoder.Embeddings.WordEmbeddings.grad;
                    Assert.True(emb is not null && emb.abs().sum().item<float>() > 0);
                    checkedGrad = true;
                }
                phase.Optimizer.Step();
                losses.Add(loss.item<float>());
            }
        }
        double first = losses.Take(3).Average(), last = losses.TakeLast(3).Average();
        Assert.True(last < 0.6 * first, $"DAE loss {first:F3} -> {last:F3}");
    }

    static double MeanCos(SentenceEncoder enc, IReadOnlyList<string> a, IReadOnlyList<string> b, bool same)
    {
        enc.eval();
        using var _ = no_grad();
        var ta = TokenBatch.Encode(ToyModels.Tokenizer, a, 32);
        var tb = TokenBatch.Encode(ToyModels.Tokenizer, b, 32);
        var u = nn.functional.normalize(enc.forward(ta.Ids, ta.Mask, ta.Types), dim: 1);
        var v = nn.functional.normalize(enc.forward(tb.Ids, tb.Mask, tb.Types), dim: 1);
        var sim = u.matmul(v.T);
        if (same) sim = sim.masked_select(eye(a.Count).logical_not());   // ignore each text with itself
        return sim.mean().item<float>();
    }

    [Fact]
    public void ContrastivePhaseSeparatesTheClasses()
    {
        var enc = new SentenceEncoder(ToyModels.Encoder(3), PoolingMode.Mean);
        var data = ToyModels.Corpus();
        var labels = LabelSet.FromTrain(data, null);
        double Gap() => MeanCos(enc, ToyModels.Sports, ToyModels.Sports, true) - MeanCos(enc, ToyModels.Sports, ToyModels.Food, false);
        double before = Gap();
        var c = Config with { Cl = Config.Cl with { Epochs = 8 } };
        using var phase = new ContrastivePhase(enc, ToyModels.Tokenizer, data, labels, c);
        Assert.Equal(phase.Pairs.Count(p => p.Target == 1), phase.Pairs.Count(p => p.Target == 0));
        var trainer = new Trainer(Paths.TempDir(), c.ToTrainerOptions(), c.ToJson());
        trainer.Run(phase, 0);
        double after = Gap();
        Assert.True(after > before + 0.2, $"same-class minus cross-class cosine {before:F3} -> {after:F3}");
        Assert.True(MeanCos(enc, ToyModels.Sports, ToyModels.Sports, true) > 0.8);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestWeights()
    {
        var enc = new SentenceEncoder(ToyModels.Encoder(4), PoolingMode.Mean);
        var data = ToyModels.Corpus();
        var labels = LabelSet.FromTrain(data, null);
        var c = Config with { Ft = Config.Ft with { Patience = 1, MaxEpochs = 5 } };
        using var phase = new FineTunePhase(enc, ToyModels.Tokenizer, data, data, labels, c);
        var trainer = new Trainer(Paths.TempDir(), c.ToTrainerOptions(), c.ToJson());
        trainer.Run(phase, 0);   // learns the toy task
        double best = phase.BestScore;
        Assert.True(best > 0.5, $"the toy task was not learned (dev accuracy {best})");
        var snapshot = phase.StateParameters.ToDictionary(p => p.Name, p => p.Param.detach().clone());
        // ruin the head, then let an epoch end be judged: worse, patience 1 → stop; Finish must restore
        using (no_grad()) foreach (var (name, p) in phase.StateParameters.Where(p => p.Name.StartsWith("head."))) p.zero_();
        Assert.True(phase.Evaluate(data).Accuracy < best);
        Assert.True(phase.EndEpoch(5, SilentObserver.Instance));
        phase.Finish();
        Assert.Equal(best, phase.Evaluate(data).Accuracy);
        Assert.All(phase.StateParameters, p => Assert.True(p.Param.equal(snapshot[p.Name]).all().item<bool>(), p.Name));
    }

    [Fact]
    public void JointPhaseSumsBothLosses()
    {
        var enc = new SentenceEncoder(ToyModels.Encoder(5), PoolingMode.Cls);
        var data = ToyModels.Corpus();
        var c = Config with { Joint = new JointConfig { Mode = "sum", Epochs = 1, Lr = 1e-3 } };
        using var joint = new JointPhase(enc, ToyModels.Tokenizer, data, data.Select(e => e.Text).ToList(), LabelSet.FromTrain(data, null), c);
        int n = joint.BeginEpoch(0);
        Assert.True(n >= 3);
        using var _ = no_grad();
        var sum = joint.Loss(0).item<float>();
        Assert.True(sum > 1.0);   // a DAE cross-entropy over 30k tokens plus a cosine MSE
        var alt = new JointPhase(enc, ToyModels.Tokenizer, data, data.Select(e => e.Text).ToList(), LabelSet.FromTrain(data, null), c with { Joint = c.Joint with { Mode = "alternate" } });
        Assert.Equal(2 * n, alt.BeginEpoch(0));
    }

    [Fact]
    public void JointInSumModeIsExactlyTheDaeLossPlusTheContrastiveLoss()
    {
        var data = ToyModels.Corpus();
        var labels = LabelSet.FromTrain(data, null);
        var texts = data.Select(e => e.Text).ToList();
        var c = Config with { Joint = new JointConfig { Mode = "sum", Epochs = 1 } };
        var inner = c with { Dae = c.Dae with { Epochs = 1 }, Cl = c.Cl with { Epochs = 1 } };
        var enc = new SentenceEncoder(ToyModels.Encoder(8), PoolingMode.Cls);
        manual_seed(11);
        using var joint = new JointPhase(enc, ToyModels.Tokenizer, data, texts, labels, c);
        manual_seed(11);   // the same draws: the contrastive phase draws none, the decoder's cross-attention the same
        using var cl = new ContrastivePhase(enc, ToyModels.Tokenizer, data, labels, inner);
        using var dae = new DaePhase(enc, ToyModels.Tokenizer, texts, inner);
        joint.BeginEpoch(0); dae.BeginEpoch(0); cl.BeginEpoch(0);
        joint.SetTraining(false); dae.SetTraining(false); cl.SetTraining(false);
        using var _ = no_grad();
        float sum = joint.Loss(0).item<float>(), parts = dae.Loss(0).item<float>() + cl.Loss(0).item<float>();
        Assert.Equal(parts, sum, 4);
        Assert.True(cl.Loss(0).item<float>() > 0);
    }

    [Fact]
    public void DaeNoiseIsRedrawnEveryEpochInsideThePhase()
    {
        var texts = ToyModels.Corpus().Select(e => e.Text).ToList();
        var enc = new SentenceEncoder(ToyModels.Encoder(9), PoolingMode.Cls);
        using var dae = new DaePhase(enc, ToyModels.Tokenizer, texts, Config with { GroupByLength = false });
        dae.SetTraining(false);
        using var _ = no_grad();
        dae.BeginEpoch(0);
        float e0 = dae.Loss(0).item<float>();
        dae.BeginEpoch(0);
        Assert.Equal(e0, dae.Loss(0).item<float>());
        dae.BeginEpoch(1);
        Assert.NotEqual(e0, dae.Loss(0).item<float>());
    }
}
