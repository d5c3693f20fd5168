namespace PhaseTune.Inference;

/// <summary>What predicting and evaluating need of a classifier, whichever runtime holds it: a TorchSharp
/// TextClassifier or an exported <see cref="OnnxTextClassifier"/>.</summary>
public interface ITextClassifier : IDisposable
{
    /// <summary>The labels, in the order of the probability columns.</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>Class probabilities (N, C) of texts or text pairs, in input order.</summary>
    float[][] PredictProba(IReadOnlyList<(string A, string? B)> texts);
}
