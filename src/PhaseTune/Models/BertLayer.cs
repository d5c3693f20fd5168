using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>dense → dropout → LayerNorm(x + residual): HF's BertSelfOutput and BertOutput.</summary>
public sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Linear dense;
    readonly LayerNorm LayerNorm;
    readonly FastDropout dropout;

    public BertResidualOutput(EncoderConfig c, int inFeatures) : base(nameof(BertResidualOutput))
    {
        dense = nn.Linear(inFeatures, c.HiddenSize);
        LayerNorm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        dropout = new FastDropout(c.HiddenDropoutProb);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor residual) =>
        LayerNorm.forward(dropout.forward(dense.forward(x)) + residual);
}

/// <summary>Self-attention followed by its output projection (HF's BertAttention: `self`, `output`).</summary>
public sealed class BertAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly BertSelfAttention self;
    readonly BertResidualOutput output;

    public BertAttention(EncoderConfig c) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(c);
        output = new BertResidualOutput(c, c.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor? mask) => forward(x, x, mask);

    /// <summary>Attention of x over kv (cross-attention, or self-attention when kv is x); x packed when
    /// <paramref name="packing"/> is given.</summary>
    public Tensor forward(Tensor x, Tensor kv, Tensor? mask, Packing? packing = null) =>
        output.forward(self.Attend(x, kv, mask, packing), x);
}

/// <summary>dense → activation (HF's BertIntermediate).</summary>
public sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    readonly Linear dense;
    readonly Func<Tensor, Tensor> _act;

    public BertIntermediate(EncoderConfig c) : base(nameof(BertIntermediate))
    {
        dense = nn.Linear(c.HiddenSize, c.IntermediateSize);
        _act = Activations.Get(c.HiddenAct);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => _act(dense.forward(x));
}

/// <summary>One transformer block: attention, intermediate, output.</summary>
public sealed class BertLayer : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly BertAttention attention;
    readonly BertIntermediate intermediate;
    readonly BertResidualOutput output;

    public BertLayer(EncoderConfig c) : base(nameof(BertLayer))
    {
        attention = new BertAttention(c);
        intermediate = new BertIntermediate(c);
        output = new BertResidualOutput(c, c.IntermediateSize);
        RegisterComponents();
    }

    public BertAttention Attention => attention;
    public BertIntermediate Intermediate => intermediate;
    public BertResidualOutput Output => output;

    /// <param name="x">(B, T, C)</param>
    public override Tensor forward(Tensor x, Tensor? mask) => forward(x, mask, null);

    /// <param name="x">(B, T, C), or (N, C) real tokens when packed</param>
    public Tensor forward(Tensor x, Tensor? mask, Packing? packing)
    {
        var a = attention.forward(x, x, mask, packing);
        return output.forward(intermediate.forward(a), a);
    }
}
