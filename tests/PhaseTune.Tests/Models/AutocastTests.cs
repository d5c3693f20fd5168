using PhaseTune.Losses;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Training.Optimization;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Models;

/// <summary>bf16 matrix products (<see cref="Autocast"/>): the fixtures' outputs stay within a stated tolerance of HF's
/// float32 ones, gradients and master weights stay float32, and the scope ends where it is disposed.</summary>
public class AutocastTests
{
    /// <summary>bfloat16 keeps 8 significant bits (relative error 2⁻⁹ per rounding); through two layers and a LayerNorm
    /// the fixtures' hidden states move by up to 1.8e-2 (tiny-bert) and 2.8e-2 (tiny-roberta); gradients by up to
    /// 1.6 % of their norm (the tied word embeddings).</summary>
    const double Bf16Tolerance = 5e-2;

    static Tensor Hidden(BertModel model, Precision precision)
    {
        var r = EncoderReferenceTests.Reference("tiny-bert");
        using var scope = Autocast.Scope(precision);
        using var _ = no_grad();
        var (ids, mask, types) = (EncoderReferenceTests.Ints(r["input_ids"]!), EncoderReferenceTests.Ints(r["attention_mask"]!), EncoderReferenceTests.Ints(r["token_type_ids"]!));
        return model.forward(ids, mask, types);
    }

    [Theory]
    [InlineData("tiny-bert")]
    [InlineData("tiny-roberta")]
    public void Bf16OutputsStayWithinToleranceOfHf(string fixture)
    {
        var model = ModelDirectory.Load(Paths.Fixture(fixture)).Model;
        model.eval();
        using (Autocast.Scope(Precision.Bf16)) EncoderReferenceTests.CheckOutputs(model, EncoderReferenceTests.Reference(fixture), Bf16Tolerance);
    }

    [Fact]
    public void TheScopeChangesTheArithmeticAndEndsWhereItIsDisposed()
    {
        var model = ModelDirectory.Load(Paths.Fixture("tiny-bert")).Model;
        model.eval();
        var fp32 = Hidden(model, Precision.Fp32);
        var bf16 = Hidden(model, Precision.Bf16);
        Assert.Equal(ScalarType.Float32, bf16.dtype);
        double diff = (fp32 - bf16).abs().max().item<float>();
        Assert.True(diff is > 1e-5 and < Bf16Tolerance, $"bf16 differs from fp32 by {diff:E2}");
        Assert.False(Autocast.Bf16);
        using (Autocast.Scope(Precision.Bf16))
        {
            using (Autocast.Scope(Precision.Fp32)) Assert.False(Autocast.Bf16);
            Assert.True(Autocast.Bf16);
            Assert.True(Task.Run(() => Autocast.Bf16).Result);   // flows into work the run starts
        }
        Assert.False(Autocast.Bf16);
        Assert.True(Hidden(model, Precision.Fp32).equal(fp32).all().item<bool>());
    }

    [Fact]
    public void LongPaddedBatchesTakeTheFusedAttentionPathInBf16Too()
    {
        torch.manual_seed(3);
        var model = new BertModel(new EncoderConfig
        {
            VocabSize = 100, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64, MaxPositionEmbeddings = 128,
        });
        model.eval();
        var ids = randint(5, 100, [2, 100]);                        // more keys than the explicit path takes
        var mask = ones(2, 100, dtype: ScalarType.Int64);
        mask[1, 60..] = zeros(40, dtype: ScalarType.Int64);
        Tensor Run(Precision p)
        {
            using var scope = Autocast.Scope(p);
            using var _ = no_grad();
            return model.forward(ids, mask, zeros_like(ids));
        }
        var (fp32, bf16) = (Run(Precision.Fp32), Run(Precision.Bf16));
        double diff = (fp32[1, ..60] - bf16[1, ..60]).abs().max().item<float>();
        Assert.True(diff is > 0 and < Bf16Tolerance, $"padded row: bf16 differs from fp32 by {diff:E2}");
        Assert.True((fp32[0] - bf16[0]).abs().max().item<float>() < Bf16Tolerance);
    }

    [Fact]
    public void MaskedLmLogitsAndLossInBf16StayCloseToFloat32()
    {
        var model = ModelDirectory.Load(Paths.Fixture("tiny-bert-mlm")).Model;
        model.eval();
        using var head = MaskedLmHead.For(model, () => model.Embeddings.WordEmbeddings);
        head.eval();
        var r = EncoderReferenceTests.Reference("tiny-bert-mlm");
        var (ids, mask) = (EncoderReferenceTests.Ints(r["masked_input_ids"]!), EncoderReferenceTests.Ints(r["attention_mask"]!));
        var labels = EncoderReferenceTests.Ints(r["mlm_labels"]!).reshape(-1);
        float Loss(Precision p)
        {
            using var scope = Autocast.Scope(p);
            using var _ = no_grad();
            var hidden = model.forward(ids, mask, zeros_like(ids));
            var logits = Autocast.Float(head.forward(hidden.reshape(-1, hidden.shape[2])));
            Assert.Equal(ScalarType.Float32, logits.dtype);
            return nn.functional.cross_entropy(logits, labels, ignore_index: -100).item<float>();
        }
        double want = r["mlm_loss"]!.GetValue<double>();
        Assert.Equal(want, Loss(Precision.Fp32), 4);
        Assert.True(Math.Abs(Loss(Precision.Bf16) - want) < 1e-2 * want, $"bf16 loss {Loss(Precision.Bf16)} vs {want}");
    }

    [Fact]
    public void Bf16BackwardGivesFloat32GradientsCloseToFloat32OnesAndTheWeightsStayFloat32()
    {
        Dictionary<string, Tensor> Gradients(Precision p, out BertModel model)
        {
            model = ModelDirectory.Load(Paths.Fixture("tiny-bert-mlm")).Model;
            torch.manual_seed(7);   // the decoder's cross-attention starts random: the same in both runs
            var loss = new DenoisingAutoEncoderLoss(new SentenceEncoder(model, PoolingMode.Cls));
            loss.eval();
            var r = EncoderReferenceTests.Reference("tiny-bert-mlm");
            var ids = EncoderReferenceTests.Ints(r["input_ids"]!);
            var mask = EncoderReferenceTests.Ints(r["attention_mask"]!);
            var batch = new PhaseTune.Text.TokenBatch(ids, mask, zeros_like(ids));
            using (Autocast.Scope(p)) loss.Forward(new DaeBatch(batch, batch)).backward();
            return model.named_parameters().Where(x => x.parameter.grad is not null).ToDictionary(x => x.name, x => x.parameter.grad!);
        }
        var fp32 = Gradients(Precision.Fp32, out _);
        var bf16 = Gradients(Precision.Bf16, out var model);
        Assert.Equal(fp32.Keys.Order(), bf16.Keys.Order());
        // relative to each gradient, plus a floor for gradients that are zero in exact arithmetic (a key bias shifts
        // every score of a query alike, which softmax ignores), where both runs hold only rounding noise
        double largest = fp32.Values.Max(g => g.norm().item<float>());
        foreach (var (name, g) in bf16)
        {
            Assert.Equal(ScalarType.Float32, g.dtype);
            double diff = (g - fp32[name]).norm().item<float>(), norm = fp32[name].norm().item<float>();
            Assert.True(diff <= 0.05 * norm + 1e-3 * largest, $"{name}: |bf16 − fp32| {diff:E2} against |fp32| {norm:E2}");
        }
        var optimizer = Optimizer.Create("adamw", ParameterGroup.ForWeightDecay("all", model.named_parameters().Select(p => (p.name, p.parameter)).ToList(), 1e-3, 0.01));
        optimizer.Step();
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Theory]
    [InlineData("fp32", Precision.Fp32)]
    [InlineData("bf16", Precision.Bf16)]
    public void SettingsResolve(string setting, Precision want) => Assert.Equal(want, Autocast.Resolve(setting));

    [Fact]
    public void AutoFollowsTheCpuAndAnUnknownSettingIsNamed()
    {
        Assert.Equal(Autocast.CpuHasBf16 ? Precision.Bf16 : Precision.Fp32, Autocast.Resolve("auto"));
        bool listed = File.ReadLines("/proc/cpuinfo").Any(l => l.StartsWith("flags") && (l.Contains(" avx512_bf16") || l.Contains(" amx_bf16")));
        Assert.Equal(listed, Autocast.CpuHasBf16);
        var e = Assert.Throws<ArgumentException>(() => Autocast.Resolve("fp16"));
        Assert.Contains("'fp16'", e.Message);
        e = Assert.Throws<ArgumentException>(() => new PhaseTune.Phases.TrainConfig { Precision = "fp16" }.Validate("run.toml"));
        Assert.Contains("run.toml: precision must be fp32, bf16 or auto, got 'fp16'", e.Message);
    }
}
