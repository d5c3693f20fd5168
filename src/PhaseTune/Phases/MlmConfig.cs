namespace PhaseTune.Phases;

/// <summary>Masked-LM pre-training (BERT's recipe: 15 % of tokens, 80/10/10), the domain-adaptive pre-training the
/// paper's future work points at. <see cref="BlockSize"/> packs all texts into blocks of that many tokens (HF's
/// run_mlm group_texts); without it each text is one example cut to max_length.</summary>
public sealed record MlmConfig
{
    public int Epochs { get; init; } = 1;
    /// <summary>Stop after this many optimiser steps (the schedule spans them, epochs as many as it takes); null: <see cref="Epochs"/> decides.</summary>
    public int? MaxSteps { get; init; }
    public double Lr { get; init; } = 5e-5;
    public double MaskProbability { get; init; } = 0.15;
    public bool WholeWordMask { get; init; }
    public int? BlockSize { get; init; }
    /// <summary>With <see cref="BlockSize"/>: blocks hold whole texts ([CLS] a [SEP] b [SEP] …, a text longer than a
    /// block cut to it) and a text that does not fit starts the next block, as BERT's own pre-training data and the
    /// stand-in's script do; false: one token stream cut every BlockSize tokens (HF's run_mlm).</summary>
    public bool PackWholeTexts { get; init; }
    public double WarmupRatio { get; init; } = 0.1;
    public int? BatchSize { get; init; }
    /// <summary>AdamW's epsilon.</summary>
    public double Eps { get; init; } = 1e-6;
    /// <summary>This phase's weight decay; null takes the run's <c>weight_decay</c>.</summary>
    public double? WeightDecay { get; init; }
}
