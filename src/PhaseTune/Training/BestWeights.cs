using System.Text.Json.Nodes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Training;

/// <summary>Model selection: keeps a copy of the weights with the best dev score, restores them at the end, and
/// travels with a checkpoint ("best.NAME" tensors, best score and dev history in the phase extras).</summary>
public sealed class BestWeights(IReadOnlyList<(string Name, Parameter Param)> parameters)
{
    Dictionary<string, Tensor>? _best;
    public double Score { get; private set; } = double.NegativeInfinity;
    public List<double> History { get; } = new();

    /// <summary>Records a dev score; true (and a fresh copy of the weights) when it beats the best so far.</summary>
    public bool Offer(double score)
    {
        History.Add(score);
        if (score <= Score) return false;
        Score = score;
        if (_best is not null) foreach (var t in _best.Values) t.Dispose();
        _best = parameters.ToDictionary(p => p.Name, p => p.Param.detach().clone().DetachFromDisposeScope());
        return true;
    }

    public void Restore()
    {
        if (_best is null) return;
        using var _ = no_grad();
        foreach (var (name, p) in parameters) p.copy_(_best[name]);
    }

    public JsonObject Save(List<(string, Tensor)> tensors)
    {
        if (_best is not null) tensors.AddRange(_best.Select(kv => ("best." + kv.Key, kv.Value)));
        return new JsonObject
        {
            ["best_score"] = double.IsNegativeInfinity(Score) ? null : Score,
            ["dev_history"] = new JsonArray(History.Select(d => (JsonNode)d).ToArray()),
        };
    }

    public void Load(JsonObject extra, Func<string, Tensor?> tensors)
    {
        Score = extra["best_score"]?.GetValue<double>() ?? double.NegativeInfinity;
        History.Clear();
        History.AddRange(extra["dev_history"]!.AsArray().Select(d => d!.GetValue<double>()));
        _best = double.IsNegativeInfinity(Score) ? null : parameters.ToDictionary(p => p.Name, p => (tensors("best." + p.Name)
            ?? throw new InvalidDataException($"checkpoint lacks best weights for '{p.Name}'")).DetachFromDisposeScope());
    }
}
