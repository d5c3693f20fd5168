using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>Encoder + pooling (+ the contrastive phase's optional linear projection) (+ L2 normalisation, as a
/// sentence-transformers Normalize module): text to one vector.</summary>
public sealed class SentenceEncoder : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly BertModel encoder;
    Linear? projection;
    public PoolingMode Pooling { get; }
    public bool Normalize { get; }

    public SentenceEncoder(BertModel encoder, PoolingMode pooling, bool normalize = false) : base(nameof(SentenceEncoder))
    {
        if (pooling == PoolingMode.Pooler && !encoder.Config.HasPooler)
            throw new NotSupportedException($"{encoder.Config.ModelType} has no pooler; pool with cls, mean or max");
        this.encoder = encoder;
        Pooling = pooling;
        Normalize = normalize;
        RegisterComponents();
    }

    public BertModel Encoder => encoder;
    public Linear? Projection => projection;
    public int Dimension => (int)encoder.Config.HiddenSize;

    /// <summary>Adds the linear projection (identity-initialised, so adding it does not move the vectors).</summary>
    public void AddProjection()
    {
        if (projection is not null) return;
        int h = encoder.Config.HiddenSize;
        projection = nn.Linear(h, h);
        using (no_grad()) { projection.weight!.copy_(eye(h)); projection.bias!.zero_(); }
        register_module("projection", projection);
    }

    /// <returns>(B, C) sentence vectors</returns>
    public override Tensor forward(Tensor ids, Tensor mask, Tensor types)
    {
        var hidden = encoder.Forward(ids, mask, types, skipPadding: true);               // (B, T, C)
        var pooled = Models.Pooling.Pool(hidden, mask, Pooling, encoder);                 // (B, C)
        if (projection is not null) pooled = projection.forward(pooled);
        return Normalize ? nn.functional.normalize(pooled, p: 2, dim: 1) : pooled;
    }
}
