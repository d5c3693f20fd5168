using PhaseTune.Evaluation;
using PhaseTune.Models;

namespace PhaseTune.Runs;

/// <summary>What a classifier run produced (also on disk: DIR/model, DIR/metrics.json).</summary>
public sealed record TrainResult(TextClassifier Model, ClassificationMetrics Dev, ClassificationMetrics? Test,
    IReadOnlyDictionary<string, double> PhaseSeconds, IReadOnlyList<double> DevHistory, int BestEpoch);
