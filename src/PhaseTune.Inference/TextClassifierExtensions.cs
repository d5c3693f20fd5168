namespace PhaseTune.Inference;

public static class TextClassifierExtensions
{
    /// <summary>Texts read ahead at a time when predicting a stream: enough to sort by length.</summary>
    public const int Window = 4096;

    /// <summary>Each text of a stream with its class probabilities, in input order, <see cref="Window"/> texts at a time.</summary>
    public static IEnumerable<((string A, string? B) Text, float[] Probabilities)> PredictStream(this ITextClassifier classifier, IEnumerable<(string A, string? B)> texts)
    {
        foreach (var window in texts.Chunk(Window))
        {
            var probs = classifier.PredictProba(window);
            for (int i = 0; i < window.Length; i++) yield return (window[i], probs[i]);
        }
    }

    /// <summary>The most probable class of each text (the first on a tie).</summary>
    public static int[] Predict(this ITextClassifier classifier, IReadOnlyList<(string A, string? B)> texts) =>
        classifier.PredictProba(texts).Select(ArgMax).ToArray();

    public static int ArgMax(float[] p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }
}
