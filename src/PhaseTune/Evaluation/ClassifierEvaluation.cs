using PhaseTune.Data;
using PhaseTune.Inference;

namespace PhaseTune.Evaluation;

/// <summary>Scores a classifier on labelled examples: what `phasetune eval` prints and fine-tuning selects on.</summary>
public static class ClassifierEvaluation
{
    /// <summary>Accuracy, macro scores and the mean cross-entropy (test loss), in eval mode (no dropout).</summary>
    public static ClassificationMetrics Evaluate(ITextClassifier model, IReadOnlyList<Example> examples, LabelSet labels)
    {
        var probs = model.PredictProba(examples.Select(e => (e.Text, e.Text2)).ToList());
        var gold = examples.Select(e => labels.IndexOf(e.Label)).ToArray();
        return ClassificationMetrics.Compute(gold, probs.Select(TextClassifierExtensions.ArgMax).ToArray(), labels.Names)
            with { CrossEntropy = CrossEntropy(probs, gold) };
    }

    /// <summary>−(1/N) Σ ln p(gold) in nats; a probability that underflowed to 0 in float32 counts as the smallest
    /// positive float (a loss of 103.3 for that example) instead of making the mean infinite.</summary>
    public static double CrossEntropy(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> gold)
    {
        if (gold.Count == 0) return 0;
        double sum = 0;
        for (int i = 0; i < gold.Count; i++) sum -= Math.Log(Math.Max(probabilities[i][gold[i]], float.Epsilon));
        return sum / gold.Count;
    }
}
