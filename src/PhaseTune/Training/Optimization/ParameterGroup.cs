using TorchSharp.Modules;

namespace PhaseTune.Training.Optimization;

/// <summary>A group of named parameters sharing a learning rate and weight decay.</summary>
public sealed class ParameterGroup(string name, IReadOnlyList<(string Name, Parameter Param)> parameters, double lr, double weightDecay)
{
    public string Name { get; } = name;
    public IReadOnlyList<(string Name, Parameter Param)> Parameters { get; } = parameters;
    public double BaseLr { get; } = lr;
    public double Lr { get; set; } = lr;
    public double WeightDecay { get; } = weightDecay;

    /// <summary>Weight decay for weights; none for biases and LayerNorm, as HF and sentence-transformers do.</summary>
    public static List<ParameterGroup> ForWeightDecay(string name, IEnumerable<(string Name, Parameter Param)> named, double lr, double weightDecay)
    {
        var list = named.Where(p => p.Param.requires_grad).ToList();
        bool NoDecay(string n) => n.EndsWith(".bias") || n.Contains("LayerNorm") || n == "bias";
        return
        [
            new ParameterGroup(name, list.Where(p => !NoDecay(p.Name)).ToList(), lr, weightDecay),
            new ParameterGroup(name + ".no_decay", list.Where(p => NoDecay(p.Name)).ToList(), lr, 0),
        ];
    }
}
