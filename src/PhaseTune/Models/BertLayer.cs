using static TorchSharp.torch;

namespace PhaseTune.Models;

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
