using System.Text.Json.Nodes;

namespace PhaseTune.Evaluation;

/// <summary>Accuracy, macro-averaged precision / recall / F1 (a class with no predictions has precision 0, as
/// scikit-learn's zero_division=0), per-class scores, the confusion matrix (rows gold, columns predicted) and, from
/// probabilities, the mean cross-entropy.</summary>
public sealed record ClassificationMetrics(double Accuracy, double MacroPrecision, double MacroRecall, double MacroF1,
    IReadOnlyList<string> Labels, IReadOnlyList<ClassScores> PerClass, int[][] Confusion, int Count)
{
    public static ClassificationMetrics Compute(IReadOnlyList<int> gold, IReadOnlyList<int> predicted, IReadOnlyList<string> labels)
    {
        if (gold.Count != predicted.Count) throw new ArgumentException("gold and predicted differ in length");
        int c = labels.Count;
        var confusion = Enumerable.Range(0, c).Select(_ => new int[c]).ToArray();
        for (int i = 0; i < gold.Count; i++) confusion[gold[i]][predicted[i]]++;
        var per = new List<ClassScores>();
        for (int k = 0; k < c; k++)
        {
            int tp = confusion[k][k], support = confusion[k].Sum(), predictedK = confusion.Sum(r => r[k]);
            double p = predictedK == 0 ? 0 : (double)tp / predictedK, r = support == 0 ? 0 : (double)tp / support;
            per.Add(new ClassScores(p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), support));
        }
        double acc = gold.Count == 0 ? 0 : (double)Enumerable.Range(0, c).Sum(k => confusion[k][k]) / gold.Count;
        return new ClassificationMetrics(acc, per.Average(s => s.Precision), per.Average(s => s.Recall), per.Average(s => s.F1),
            labels, per, confusion, gold.Count);
    }

    /// <summary>Mean cross-entropy of the gold labels, −(1/N) Σ ln p(gold), in nats (the "test loss"); null where the
    /// scores were labels alone.</summary>
    public double? CrossEntropy { get; init; }

    public double Get(string metric) => metric switch
    {
        "accuracy" => Accuracy,
        "macro_f1" => MacroF1,
        _ => throw new ArgumentException($"unknown metric '{metric}' (accuracy, macro_f1)"),
    };

    public JsonObject ToJson()
    {
        var perClass = new JsonObject();
        for (int k = 0; k < Labels.Count; k++)
            perClass[Labels[k]] = new JsonObject
            {
                ["precision"] = PerClass[k].Precision, ["recall"] = PerClass[k].Recall,
                ["f1"] = PerClass[k].F1, ["support"] = PerClass[k].Support,
            };
        return new JsonObject
        {
            ["count"] = Count, ["accuracy"] = Accuracy, ["cross_entropy"] = CrossEntropy, ["macro_precision"] = MacroPrecision,
            ["macro_recall"] = MacroRecall, ["macro_f1"] = MacroF1, ["per_class"] = perClass,
            ["labels"] = new JsonArray(Labels.Select(l => (JsonNode)l).ToArray()),
            ["confusion_matrix"] = new JsonArray(Confusion.Select(r => (JsonNode)new JsonArray(r.Select(v => (JsonNode)v).ToArray())).ToArray()),
        };
    }
}
