namespace PhaseTune.Phases;

/// <summary>Embedding pre-training before a classifier (SimCSE, MNRL, SupCon, SimCLR). Without a temperature each
/// objective uses its paper's default (SimCSE 0.05, SupCon 0.07, SimCLR 0.5); MNRL uses a scale of 20.</summary>
public sealed record PretrainConfig
{
    public int Epochs { get; init; } = 1;
    public double Lr { get; init; } = 3e-5;
    public double? Temperature { get; init; }
    public double Scale { get; init; } = 20;
    public double WarmupRatio { get; init; } = 0.1;
    public double NoiseRatio { get; init; } = 0.1;
    public string PositiveLabel { get; init; } = "1";
    public int? BatchSize { get; init; }
    /// <summary>adamw or sgd (with <see cref="Momentum"/>; the MASSIVE report's SimCLR uses 0.99).</summary>
    public string Optimizer { get; init; } = "adamw";
    public double Momentum { get; init; } = 0.9;
    /// <summary>Layer-wise learning-rate decay factor; null trains all encoder layers at <see cref="Lr"/>.</summary>
    public double? Llrd { get; init; }
    public string Schedule { get; init; } = "linear";
    /// <summary>The cosine schedule's floor (a learning rate) and half period in epochs, as <see cref="FineTuneConfig"/>'s.</summary>
    public double EtaMin { get; init; }
    public double? TMax { get; init; }
    /// <summary>This phase's weight decay; null takes the run's <c>weight_decay</c>.</summary>
    public double? WeightDecay { get; init; }
    /// <summary>SupCon / SimCLR: "mean" over anchors, or "sum" (the MASSIVE report's eq. 1 and its Table 8 values).</summary>
    public string Reduction { get; init; } = "mean";
    /// <summary>SupCon / SimCLR: dropout on each view's sentence vector before the projection (the report's
    /// augmentation; 0.9 there), on top of the encoder's own dropout.</summary>
    public double ViewDropout { get; init; }
    /// <summary>SupCon / SimCLR: the projection head's layer sizes (ReLU between layers), trained with the encoder and
    /// discarded after the phase; [] compares the sentence vectors themselves.</summary>
    public int[] Projection { get; init; } = [];
}
