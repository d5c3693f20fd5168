using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>An MLP classifier on the sentence vector, shaped by a <see cref="HeadSpec"/>: per linear layer, dropout on
/// its input then the layer, with the activation between layers. The default is the paper's head: Dropout(0.3) →
/// Linear(h, 100) → ReLU → Dropout(0.3) → Linear(100, C).</summary>
public sealed class ClassificationHead : nn.Module<Tensor, Tensor>
{
    readonly FastDropout[] _dropouts;
    readonly Linear[] _layers;
    readonly Func<Tensor, Tensor> _act;

    public ClassificationHead(int hidden, int classes, string activation = "relu") : this(hidden, classes, HeadSpec.WithActivation(activation)) { }

    public ClassificationHead(int hidden, int classes, HeadSpec spec) : base(nameof(ClassificationHead))
    {
        Spec = spec.Validate("classification head", "");
        var sizes = new[] { hidden }.Concat(spec.Hidden).Append(classes).ToArray();
        _dropouts = new FastDropout[spec.Layers];
        _layers = new Linear[spec.Layers];
        // created in forward order (dropout, linear, ...) so the default head draws its initial weights as before
        for (int i = 0; i < spec.Layers; i++)
        {
            _dropouts[i] = new FastDropout(spec.Dropout[i]);
            _layers[i] = nn.Linear(sizes[i], sizes[i + 1]);
            register_module($"dropout{i + 1}", _dropouts[i]);
            register_module(spec.LayerName(i), _layers[i]);
        }
        _act = spec.Activation switch
        {
            "relu" => x => nn.functional.relu(x),
            "gelu" => x => nn.functional.gelu(x),
            "tanh" => x => tanh(x),
            _ => x => x,
        };
    }

    public HeadSpec Spec { get; }

    /// <summary>Linear layer i's parameters by their names in this module (for per-layer learning rates).</summary>
    public IEnumerable<(string Name, Parameter Param)> LayerParameters(int i) =>
        _layers[i].named_parameters().Select(p => (Spec.LayerName(i) + "." + p.name, p.parameter));

    /// <param name="x">(B, h)</param> <returns>(B, C) logits</returns>
    public override Tensor forward(Tensor x)
    {
        for (int i = 0; i < _layers.Length; i++)
        {
            x = _layers[i].forward(_dropouts[i].forward(x));
            if (i < _layers.Length - 1) x = _act(x);
        }
        return x;
    }
}
