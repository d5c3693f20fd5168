using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

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
