using PhaseTune.Augmentation;

namespace PhaseTune.Phases;

/// <summary>Phase 2, supervised contrastive (Siamese cosine, MSE). aug 12 and the "normal" imbalance
/// correction are the paper's code's defaults.</summary>
public sealed record ContrastiveConfig
{
    public int Epochs { get; init; } = 1;
    public double Lr { get; init; } = 2e-5;
    public int Aug { get; init; } = 12;
    public ImbalanceMode Imbalance { get; init; } = ImbalanceMode.Normal;
    public int MinWords { get; init; } = 6;
    public string Projection { get; init; } = "none";
    public string Schedule { get; init; } = "linear";
    public double WarmupRatio { get; init; } = 0.1;
    public int? BatchSize { get; init; }
    /// <summary>AdamW's epsilon.</summary>
    public double Eps { get; init; } = 1e-8;
    /// <summary>This phase's weight decay; null takes the run's <c>weight_decay</c>.</summary>
    public double? WeightDecay { get; init; }
}
