using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Training.Optimization;

/// <summary>An optimiser over named parameter groups whose state is saved by parameter name with a checkpoint.</summary>
public abstract class Optimizer(IReadOnlyList<ParameterGroup> groups) : IDisposable
{
    public IReadOnlyList<ParameterGroup> Groups { get; } = groups;
    public long StepCount { get; protected set; }

    public IEnumerable<Parameter> Parameters => Groups.SelectMany(g => g.Parameters.Select(p => p.Param));

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.grad?.zero_();
    }

    public abstract void Step();

    /// <summary>The state as named tensors for a checkpoint.</summary>
    public abstract IEnumerable<(string, Tensor)> StateTensors();

    public abstract void LoadState(long step, Func<string, Tensor?> lookup);

    public abstract void Dispose();

    public static Optimizer Create(string kind, IReadOnlyList<ParameterGroup> groups, double momentum = 0.9, double eps = 1e-8) => kind switch
    {
        "adamw" => new FusedAdamW(groups, eps: eps),
        "sgd" => new Sgd(groups, momentum),
        _ => throw new ArgumentException($"unknown optimizer '{kind}' (adamw, sgd)"),
    };

    protected static Tensor Checked(Tensor t, Parameter p, string name) => t.shape.SequenceEqual(p.shape)
        ? t.to_type(p.dtype).DetachFromDisposeScope()
        : throw new InvalidDataException($"optimizer state for '{name}' has shape [{string.Join(", ", t.shape)}], parameter has [{string.Join(", ", p.shape)}]");
}
