using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>The stack of transformer blocks (HF's BertEncoder: `layer.N`).</summary>
public sealed class BertEncoder : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly ModuleList<BertLayer> layer;

    public BertEncoder(EncoderConfig c) : base(nameof(BertEncoder))
    {
        layer = new ModuleList<BertLayer>(Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new BertLayer(c)).ToArray());
        RegisterComponents();
    }

    public IList<BertLayer> Layers => layer;

    public override Tensor forward(Tensor x, Tensor? mask) => forward(x, mask, null);

    /// <param name="x">(B, T, C), or (N, C) real tokens when packed</param>
    public Tensor forward(Tensor x, Tensor? mask, Packing? packing)
    {
        foreach (var l in layer) x = l.forward(x, mask, packing);
        return x;
    }
}
