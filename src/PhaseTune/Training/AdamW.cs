using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Training;

/// <summary>A group of named parameters sharing a learning rate and weight decay.</summary>
public sealed class ParamGroup(string name, IReadOnlyList<(string Name, Parameter Param)> parameters, double lr, double weightDecay)
{
    public string Name { get; } = name;
    public IReadOnlyList<(string Name, Parameter Param)> Parameters { get; } = parameters;
    public double BaseLr { get; } = lr;
    public double Lr { get; set; } = lr;
    public double WeightDecay { get; } = weightDecay;
}

/// <summary>AdamW (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization") with PyTorch's update
/// rule, written here so its state (moments, step) is named by parameter and saved with a checkpoint.</summary>
public sealed class AdamW(IReadOnlyList<ParamGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) : IDisposable
{
    readonly Dictionary<string, (Tensor M, Tensor V)> _state = new();
    public IReadOnlyList<ParamGroup> Groups { get; } = groups;
    public long StepCount { get; private set; }

    public IEnumerable<Parameter> Parameters => Groups.SelectMany(g => g.Parameters.Select(p => p.Param));

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.grad?.zero_();
    }

    public void Step()
    {
        StepCount++;
        double bc1 = 1 - Math.Pow(beta1, StepCount), bc2 = 1 - Math.Pow(beta2, StepCount);
        using var _ = no_grad();
        foreach (var g in Groups)
            foreach (var (name, p) in g.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                if (!_state.TryGetValue(name, out var s))
                    _state[name] = s = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
                if (g.WeightDecay != 0) p.mul_(1 - g.Lr * g.WeightDecay);
                s.M.lerp_(grad, 1 - beta1);
                s.V.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
                using var denom = s.V.sqrt().div_(Math.Sqrt(bc2)).add_(eps);
                p.addcdiv_(s.M, denom, -g.Lr / bc1);
            }
    }

    /// <summary>The moments as named tensors ("m.NAME", "v.NAME") for a checkpoint.</summary>
    public IEnumerable<(string, Tensor)> StateTensors() =>
        _state.SelectMany(kv => new[] { ($"m.{kv.Key}", kv.Value.M), ($"v.{kv.Key}", kv.Value.V) });

    public void LoadState(long step, Func<string, Tensor?> lookup)
    {
        StepCount = step;
        foreach (var (name, p) in Groups.SelectMany(g => g.Parameters))
        {
            var m = lookup($"m.{name}");
            var v = lookup($"v.{name}");
            if (m is null || v is null) continue;
            if (!m.shape.SequenceEqual(p.shape)) throw new InvalidDataException($"optimizer state for '{name}' has shape [{string.Join(", ", m.shape)}], parameter has [{string.Join(", ", p.shape)}]");
            if (_state.Remove(name, out var old)) { old.M.Dispose(); old.V.Dispose(); }
            _state[name] = (m.to_type(p.dtype).DetachFromDisposeScope(), v.to_type(p.dtype).DetachFromDisposeScope());
        }
    }

    public void Dispose()
    {
        foreach (var (m, v) in _state.Values) { m.Dispose(); v.Dispose(); }
        _state.Clear();
    }
}
