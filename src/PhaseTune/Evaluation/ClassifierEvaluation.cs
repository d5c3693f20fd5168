using PhaseTune.Data;
using PhaseTune.Inference;

namespace PhaseTune.Evaluation;

/// <summary>Scores a classifier on labelled examples: what `phasetune eval` prints and fine-tuning selects on.</summary>
public static class ClassifierEvaluation
{
    public static ClassificationMetrics Evaluate(ITextClassifier model, IReadOnlyList<Example> examples, LabelSet labels)
    {
        var pred = model.Predict(examples.Select(e => (e.Text, e.Text2)).ToList());
        return ClassificationMetrics.Compute(examples.Select(e => labels.IndexOf(e.Label)).ToArray(), pred, labels.Names);
    }
}
