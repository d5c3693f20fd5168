namespace PhaseTune.Runs;

/// <summary>How much of a report a reproduction runs. "smoke": seconds per row (a handful of examples per split, two
/// steps per epoch, one epoch, scratch:tiny); "small": 1,000 examples per split at the report's epochs with the
/// pretrained stand-in (../shared/models/bert-mini-standin); "full": all the data with the report's model.</summary>
/// <param name="LimitPerTask">examples per split of each task (null: all)</param>
/// <param name="MaxSteps">optimiser steps per epoch (null: all)</param>
/// <param name="EpochCap">at most this many epochs (null: the row's)</param>
/// <param name="MaxLength">tokens per input (null: the row's)</param>
/// <param name="Model">the encoder when no --model is given: a scratch preset, a path under ../shared or a Hub name</param>
public sealed record Cs224nScale(string Name, int? LimitPerTask, int? MaxSteps, int? EpochCap, int? MaxLength, string Model)
{
    public static readonly string[] Names = ["smoke", "small", "full"];

    public static Cs224nScale Parse(string name) => name switch
    {
        "smoke" => new(name, 16, 2, 1, 32, "scratch:tiny"),
        "small" => new(name, 1000, null, null, 64, "shared/models/bert-mini-standin"),
        "full" => new(name, null, null, null, null, "google-bert/bert-base-uncased"),
        _ => throw new ArgumentException($"unknown scale '{name}' ({string.Join(", ", Names)})"),
    };
}
