using PhaseTune.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.MultiTask;

/// <summary>The CS224N multi-task report's pair prediction heads (§4, Figure 1). The pair is cross-encoded in both
/// orders, e_ab = E([CLS] a [SEP] b [SEP]) and e_ba = E([CLS] b [SEP] a [SEP]); each goes through its own linear layer
/// to the task's outputs, and a final linear layer maps their concatenation to the outputs. "ph": those two inputs;
/// "dph": also e_ab − e_ba through a third layer; "dpha": dph with an activation between the layers.</summary>
public sealed class PairHead : nn.Module<Tensor, Tensor, Tensor>
{
    readonly FastDropout dropout;
    readonly Linear ab, ba;
    readonly Linear? diff;
    readonly Linear @out;
    readonly Func<Tensor, Tensor>? _activation;

    /// <param name="kind">ph | dph | dpha</param>
    /// <param name="hidden">h, the width of e_ab and e_ba</param>
    /// <param name="outputs">k: classes, or 1 for a logit or a score</param>
    public PairHead(string kind, int hidden, int outputs, double dropoutP, string activation) : base(nameof(PairHead))
    {
        if (kind is not ("ph" or "dph" or "dpha")) throw new ArgumentException($"unknown pair head '{kind}' (ph, dph, dpha)");
        dropout = new FastDropout(dropoutP);
        ab = nn.Linear(hidden, outputs);
        ba = nn.Linear(hidden, outputs);
        if (kind != "ph") diff = nn.Linear(hidden, outputs);
        @out = nn.Linear((kind == "ph" ? 2 : 3) * outputs, outputs);
        if (kind == "dpha") _activation = activation == "tanh" ? x => x.tanh() : Activations.Get(activation);
        Kind = kind;
        RegisterComponents();
    }

    public string Kind { get; }

    /// <param name="eab">(B, h) the pair in its given order</param>
    /// <param name="eba">(B, h) the pair swapped</param>
    /// <returns>(B, k)</returns>
    public override Tensor forward(Tensor eab, Tensor eba)
    {
        var parts = new List<Tensor> { ab.forward(dropout.forward(eab)), ba.forward(dropout.forward(eba)) };   // (B, k) each
        if (diff is not null) parts.Add(diff.forward(dropout.forward(eab - eba)));
        if (_activation is not null) parts = parts.Select(_activation).ToList();
        return @out.forward(cat(parts, 1));   // (B, 2k or 3k) → (B, k)
    }
}
