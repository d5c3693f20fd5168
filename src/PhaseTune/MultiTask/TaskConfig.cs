namespace PhaseTune.MultiTask;

/// <summary>One task of a multi-task run. <c>Data</c> is a directory (train/dev/test files) or one file that is
/// split by <c>Split</c> (train, dev, test fractions; Quora's 20k labelled pairs use 0.8/0.1/0.1).</summary>
public sealed record TaskConfig
{
    public string Name { get; init; } = "";
    public string Data { get; init; } = "";
    public TaskKind Kind { get; init; } = TaskKind.Single;
    /// <summary>How a pair reaches its head (single-text tasks ignore it): "cross", one input [CLS] a [SEP] b [SEP] and a
    /// linear layer; "bi", [u, v, |u − v|] (Sentence-BERT); "concat", [u, v] (the CS224N report's vanilla model); "ph",
    /// "dph", "dpha", the report's prediction heads (<see cref="PairHead"/>).</summary>
    public string Encoding { get; init; } = "cross";

    public static readonly string[] Encodings = ["cross", "bi", "concat", "ph", "dph", "dpha"];
    public string Metric { get; init; } = "accuracy";
    public double Weight { get; init; } = 1.0;
    public double[] Split { get; init; } = [0.8, 0.1, 0.1];
}
