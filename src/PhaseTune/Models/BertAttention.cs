using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>Self-attention followed by its output projection (HF's BertAttention: `self`, `output`).</summary>
public sealed class BertAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly BertSelfAttention self;
    readonly BertResidualOutput output;

    public BertAttention(EncoderConfig c) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(c);
        output = new BertResidualOutput(c, c.HiddenSize, dropout: !c.IsDistilBert);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor? mask) => forward(x, x, mask);

    /// <summary>Attention of x over kv (cross-attention, or self-attention when kv is x); x packed when
    /// <paramref name="packing"/> is given.</summary>
    public Tensor forward(Tensor x, Tensor kv, Tensor? mask, Packing? packing = null) =>
        output.forward(self.Attend(x, kv, mask, packing), x);
}
