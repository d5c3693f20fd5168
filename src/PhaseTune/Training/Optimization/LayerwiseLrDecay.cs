using System.Text.RegularExpressions;
using TorchSharp.Modules;

namespace PhaseTune.Training.Optimization;

/// <summary>Layer-wise learning-rate decay (Howard and Ruder 2018, "Universal Language Model Fine-tuning";
/// Sun et al. 2019, "How to Fine-Tune BERT for Text Classification?"): the top encoder layer trains at lr, each
/// layer below at lr × decay^(distance from the top), the embeddings (and ELECTRA's projection of them) lowest at
/// lr × decay^L. Parameters above the layers (pooler, projection) count as the top.</summary>
public static partial class LayerwiseLrDecay
{
    [GeneratedRegex(@"(?:^|\.)layer\.(\d+)\.")]
    private static partial Regex LayerIndex();

    /// <summary>Distance from the top: 0 for the last layer and anything above it, L for the embeddings.</summary>
    public static int Distance(string name, int layers)
    {
        var m = LayerIndex().Match(name);
        if (m.Success) return layers - 1 - int.Parse(m.Groups[1].Value);
        return name.Contains("embeddings.") || name.Contains("embeddings_project.") ? layers : 0;
    }

    public static List<ParameterGroup> Groups(string prefix, IEnumerable<(string Name, Parameter Param)> named, int layers,
        double lr, double decay, double weightDecay)
    {
        if (decay is <= 0 or > 1) throw new ArgumentException($"layer-wise decay must be in (0, 1], got {decay}");
        return named.GroupBy(p => Distance(p.Name, layers)).OrderByDescending(g => g.Key)
            .SelectMany(g => ParameterGroup.ForWeightDecay($"{prefix}.depth{g.Key}", g, lr * Math.Pow(decay, g.Key), weightDecay))
            .Where(g => g.Parameters.Count > 0).ToList();
    }
}
