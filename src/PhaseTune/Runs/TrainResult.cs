using PhaseTune.Evaluation;
using PhaseTune.Models;

namespace PhaseTune.Runs;

/// <summary>What a classifier run produced (also on disk: DIR/model, DIR/metrics.json).</summary>
/// <param name="ClusterQuality">the dev set's cluster quality at the start ("start") and after each phase, in order;
/// null where it cannot be measured (text pairs, one class)</param>
/// <param name="Train">the training set's scores, when the config asks for them (<c>eval_train</c>)</param>
public sealed record TrainResult(TextClassifier Model, ClassificationMetrics Dev, ClassificationMetrics? Test,
    IReadOnlyDictionary<string, double> PhaseSeconds, IReadOnlyList<double> DevHistory, int BestEpoch,
    IReadOnlyList<(string Phase, ClusterQuality? Quality)> ClusterQuality, ClassificationMetrics? Train = null);
