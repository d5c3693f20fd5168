using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Evaluation;
using PhaseTune.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Runs;

public sealed record TrainResult(TextClassifier Model, ClassificationMetrics Dev, ClassificationMetrics? Test,
    IReadOnlyDictionary<string, double> PhaseSeconds, IReadOnlyList<double> DevHistory, int BestEpoch);
