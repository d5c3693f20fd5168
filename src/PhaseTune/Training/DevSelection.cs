using System.Text.Json.Nodes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Training;

/// <summary>Best-on-dev model selection inside a phase (the paper: "we selected the best model for each of them based
/// on the results of the validation dataset"): a dev score (higher is better) taken a few times per epoch, the best
/// weights kept and restored when the phase ends; the state travels with a checkpoint.</summary>
public sealed class DevSelection(IReadOnlyList<(string Name, Parameter Param)> parameters, Func<double> score, int checksPerEpoch)
{
    readonly BestWeights _best = new(parameters);

    public int ChecksPerEpoch { get; } = checksPerEpoch;
    public double BestScore => _best.Score;
    public IReadOnlyList<double> History => _best.History;

    public double Check(string phase, ITrainingObserver observer)
    {
        double s;
        using (NewDisposeScope())
        using (no_grad()) s = score();
        bool better = _best.Offer(s);
        observer.Message($"{phase}: dev score {s:F4}{(better ? " (best so far)" : $" (best {_best.Score:F4})")}");
        return s;
    }

    public void Restore() => _best.Restore();
    public JsonObject Save(List<(string, Tensor)> tensors) => _best.Save(tensors);
    public void Load(JsonObject extra, Func<string, Tensor?> tensors) => _best.Load(extra, tensors);
}
