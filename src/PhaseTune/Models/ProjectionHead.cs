using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>A contrastive stage's projection head (Chen et al. 2020, SimCLR; Khosla et al. 2020, SupCon): linear
/// layers of the given sizes with ReLU between them, on the sentence vector; the loss is taken on its output and the
/// head is dropped after the stage.</summary>
public sealed class ProjectionHead : nn.Module<Tensor, Tensor>
{
    readonly Linear[] _layers;

    public ProjectionHead(int input, IReadOnlyList<int> sizes) : base(nameof(ProjectionHead))
    {
        if (sizes.Count == 0 || sizes.Any(s => s < 1)) throw new ArgumentException($"projection sizes must be one or more positive numbers, got [{string.Join(", ", sizes)}]");
        var dims = new[] { input }.Concat(sizes).ToArray();
        _layers = Enumerable.Range(0, sizes.Count).Select(i => nn.Linear(dims[i], dims[i + 1])).ToArray();
        for (int i = 0; i < _layers.Length; i++) register_module($"linear{i}", _layers[i]);
        OutputSize = sizes[^1];
    }

    public int OutputSize { get; }

    /// <param name="x">(B, h)</param> <returns>(B, last size)</returns>
    public override Tensor forward(Tensor x)
    {
        for (int i = 0; i < _layers.Length; i++)
        {
            x = _layers[i].forward(x);
            if (i < _layers.Length - 1) x = nn.functional.relu(x);
        }
        return x;
    }
}
