namespace PhaseTune.Phases;

/// <summary>Phase 1, the denoising autoencoder. Defaults are TSDAE's (the paper follows it): deletion ratio 0.6,
/// learning rate 3e-5 held constant, decoder tied to the encoder.</summary>
public sealed record DaeConfig
{
    public int Epochs { get; init; } = 1;
    public double Lr { get; init; } = 3e-5;
    public double DeletionRatio { get; init; } = 0.6;
    public bool TieDecoder { get; init; } = true;
    public string Schedule { get; init; } = "constant";
    public double WarmupRatio { get; init; } = 0;
    public int? BatchSize { get; init; }
    /// <summary>AdamW's epsilon.</summary>
    public double Eps { get; init; } = 1e-8;
    /// <summary>This phase's weight decay; null takes the run's <c>weight_decay</c>.</summary>
    public double? WeightDecay { get; init; }
}
