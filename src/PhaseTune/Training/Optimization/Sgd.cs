using static TorchSharp.torch;

namespace PhaseTune.Training.Optimization;

/// <summary>SGD with momentum and (coupled) weight decay, PyTorch's rule: b = μ·b + (g + λ·p); p -= lr·b.</summary>
public sealed class Sgd(IReadOnlyList<ParameterGroup> groups, double momentum = 0.9) : Optimizer(groups)
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
