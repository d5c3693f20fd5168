using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>Encoder + pooling (+ the contrastive phase's optional linear projection): text to one vector.</summary>
public sealed class SentenceEncoder : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly BertModel encoder;
    Linear? projection;
    public PoolingMode Pooling { get; }

    public SentenceEncoder(BertModel encoder, PoolingMode pooling) : base(nameof(SentenceEncoder))
    {
        this.encoder = encoder;
        Pooling = pooling;
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
        var pooled = Models.Pooling.Pool(hidden, mask, Pooling, encoder);
        return projection is null ? pooled : projection.forward(pooled);
    }
}

/// <summary>The paper's classification head: Dropout(0.3) → Linear(h, 100) → activation → Dropout(0.3) → Linear(100, C).</summary>
public sealed class ClassificationHead : nn.Module<Tensor, Tensor>
{
    readonly FastDropout dropout1, dropout2;
    readonly Linear dense, out_proj;
    readonly Func<Tensor, Tensor> _act;

    public ClassificationHead(int hidden, int classes, string activation = "relu", int inner = 100, double dropout = 0.3)
        : base(nameof(ClassificationHead))
    {
        dropout1 = new FastDropout(dropout);
        dense = nn.Linear(hidden, inner);
        dropout2 = new FastDropout(dropout);
        out_proj = nn.Linear(inner, classes);
        _act = activation switch
        {
            "relu" => x => nn.functional.relu(x),
            "gelu" => x => nn.functional.gelu(x),
            "tanh" => x => tanh(x),
            "none" => x => x,
            _ => throw new ArgumentException($"unknown head activation '{activation}' (relu, gelu, tanh, none)"),
        };
        RegisterComponents();
    }

    /// <param name="x">(B, h)</param> <returns>(B, C) logits</returns>
    public override Tensor forward(Tensor x) => out_proj.forward(dropout2.forward(_act(dense.forward(dropout1.forward(x)))));
}
