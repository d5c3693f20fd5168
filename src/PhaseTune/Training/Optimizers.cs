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

/// <summary>An optimiser over named parameter groups whose state is saved by parameter name with a checkpoint.</summary>
public abstract class Optimizer(IReadOnlyList<ParamGroup> groups) : IDisposable
{
    public IReadOnlyList<ParamGroup> Groups { get; } = groups;
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

    public static Optimizer Create(string kind, IReadOnlyList<ParamGroup> groups, double momentum = 0.9) => kind switch
    {
        "adamw" => new AdamW(groups),
        "sgd" => new Sgd(groups, momentum),
        _ => throw new ArgumentException($"unknown optimizer '{kind}' (adamw, sgd)"),
    };

    protected static Tensor Checked(Tensor t, Parameter p, string name) => t.shape.SequenceEqual(p.shape)
        ? t.to_type(p.dtype).DetachFromDisposeScope()
        : throw new InvalidDataException($"optimizer state for '{name}' has shape [{string.Join(", ", t.shape)}], parameter has [{string.Join(", ", p.shape)}]");
}

/// <summary>AdamW (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization") with PyTorch's update rule.</summary>
public sealed class AdamW(IReadOnlyList<ParamGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) : Optimizer(groups)
{
    readonly Dictionary<string, (Tensor M, Tensor V)> _state = new();

    public override void Step()
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

    public override IEnumerable<(string, Tensor)> StateTensors() =>
        _state.SelectMany(kv => new[] { ($"m.{kv.Key}", kv.Value.M), ($"v.{kv.Key}", kv.Value.V) });

    public override void LoadState(long step, Func<string, Tensor?> lookup)
    {
        StepCount = step;
        foreach (var (name, p) in Groups.SelectMany(g => g.Parameters))
        {
            var m = lookup($"m.{name}");
            var v = lookup($"v.{name}");
            if (m is null || v is null) continue;
            if (_state.Remove(name, out var old)) { old.M.Dispose(); old.V.Dispose(); }
            _state[name] = (Checked(m, p, name), Checked(v, p, name));
        }
    }

    public override void Dispose()
    {
        foreach (var (m, v) in _state.Values) { m.Dispose(); v.Dispose(); }
        _state.Clear();
    }
}

/// <summary>SGD with momentum and (coupled) weight decay, PyTorch's rule: b = μ·b + (g + λ·p); p -= lr·b.</summary>
public sealed class Sgd(IReadOnlyList<ParamGroup> groups, double momentum = 0.9) : Optimizer(groups)
{
    readonly Dictionary<string, Tensor> _buffers = new();

    public override void Step()
    {
        StepCount++;
        using var _ = no_grad();
        foreach (var g in Groups)
            foreach (var (name, p) in g.Parameters)
            {
                if (p.grad is null) continue;
                using var d = g.WeightDecay != 0 ? p.grad.add(p, g.WeightDecay) : p.grad.clone();
                if (momentum != 0)
                {
                    if (_buffers.TryGetValue(name, out var buf)) buf.mul_(momentum).add_(d);
                    else _buffers[name] = buf = d.clone().DetachFromDisposeScope();
                    p.add_(buf, -g.Lr);
                }
                else p.add_(d, -g.Lr);
            }
    }

    public override IEnumerable<(string, Tensor)> StateTensors() => _buffers.Select(kv => ($"momentum.{kv.Key}", kv.Value));

    public override void LoadState(long step, Func<string, Tensor?> lookup)
    {
        StepCount = step;
        foreach (var (name, p) in Groups.SelectMany(g => g.Parameters))
            if (lookup($"momentum.{name}") is Tensor t)
            {
                if (_buffers.Remove(name, out var old)) old.Dispose();
                _buffers[name] = Checked(t, p, name);
            }
    }

    public override void Dispose()
    {
        foreach (var b in _buffers.Values) b.Dispose();
        _buffers.Clear();
    }
}
