using System.Text.Json.Nodes;

namespace PhaseTune.Models;

/// <summary>The shape of a <see cref="ClassificationHead"/>: hidden layer sizes (none: one linear map), the dropout
/// on each linear layer's input (one per layer, hidden layers plus the output layer) and the activation after each
/// hidden layer. The default is the 3-Phase paper's head: Dropout(0.3) → Linear(h, 100) → ReLU → Dropout(0.3) →
/// Linear(100, C); the MASSIVE report's is hidden [10], dropout [0.9, 0], no activation named.</summary>
public sealed record HeadSpec(IReadOnlyList<int> Hidden, IReadOnlyList<double> Dropout, string Activation)
{
    public static readonly HeadSpec Default = new([100], [0.3, 0.3], "relu");

    public static readonly string[] Activations = ["relu", "gelu", "tanh", "none"];

    /// <summary>Linear layers: the hidden ones and the output one.</summary>
    public int Layers => Hidden.Count + 1;

    /// <summary>Module name of linear layer <paramref name="i"/>: dense, dense_1, ..., out_proj (the default head's
    /// two are dense and out_proj, so older saves keep their keys).</summary>
    public string LayerName(int i) => i == Hidden.Count ? "out_proj" : i == 0 ? "dense" : $"dense_{i}";

    /// <summary>The default head with another activation (what a save without a head spec holds).</summary>
    public static HeadSpec WithActivation(string activation) => Default with { Activation = activation };

    /// <summary>Checks the spec; errors name the config key under <paramref name="prefix"/> (e.g. "ft.head_").</summary>
    public HeadSpec Validate(string source, string prefix = "ft.head_")
    {
        if (Hidden.Any(h => h < 1)) throw new ArgumentException($"{source}: {prefix}hidden sizes must be at least 1, got [{string.Join(", ", Hidden)}]");
        if (Dropout.Count != Layers)
            throw new ArgumentException($"{source}: {prefix}dropout needs one rate per linear layer ({Layers} for {prefix}hidden [{string.Join(", ", Hidden)}]), got {Dropout.Count}");
        if (Dropout.Any(p => p is < 0 or >= 1 || double.IsNaN(p)))
            throw new ArgumentException($"{source}: {prefix}dropout rates must be in [0, 1), got [{string.Join(", ", Dropout)}]");
        if (!Activations.Contains(Activation))
            throw new ArgumentException($"{source}: {prefix}activation '{Activation}' is not one of {string.Join(", ", Activations)}");
        return this;
    }

    public JsonObject ToJson() => new()
    {
        ["hidden"] = new JsonArray(Hidden.Select(h => (JsonNode)h).ToArray()),
        ["dropout"] = new JsonArray(Dropout.Select(p => (JsonNode)p).ToArray()),
        ["activation"] = Activation,
    };

    /// <summary>Reads <see cref="ToJson"/>'s object; <paramref name="source"/> names the file in errors.</summary>
    public static HeadSpec FromJson(JsonObject o, string source)
    {
        try
        {
            return new HeadSpec(o["hidden"]!.AsArray().Select(h => h!.GetValue<int>()).ToArray(),
                o["dropout"]!.AsArray().Select(p => p!.GetValue<double>()).ToArray(), o["activation"]!.GetValue<string>()).Validate(source, "head.");
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source}: 'head' must hold hidden (whole numbers), dropout (numbers) and activation (a word)");
        }
    }
}
