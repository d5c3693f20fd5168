using PhaseTune.Data;
using PhaseTune.Models;
using PhaseTune.Text;
using PhaseTune.Training;
using PhaseTune.Training.Optimization;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>Phases 1 and 2 together (the paper's Joint variant): L_DAE + L_CL on one batch of each per step
/// ("sum"), or one batch of each in turn ("alternate"). The shorter stream cycles.</summary>
public sealed class JointPhase : TrainingPhase
{
    readonly DaePhase _dae;
    readonly ContrastivePhase _cl;
    readonly TrainConfig _c;
    int _nDae, _nCl;

    /// <param name="texts">what the DAE half learns from (the training texts, and unlabelled ones)</param>
    public JointPhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> train, IReadOnlyList<string> texts, LabelSet labels, TrainConfig c)
    {
        _c = c;
        var inner = c with { Dae = c.Dae with { Epochs = c.Joint.Epochs }, Cl = c.Cl with { Epochs = c.Joint.Epochs } };
        _cl = new ContrastivePhase(encoder, tok, train, labels, inner);
        _dae = new DaePhase(encoder, tok, texts, inner);
        StateParameters = Distinct(_dae.StateParameters.Concat(_cl.StateParameters));
        Optimizer = new FusedAdamW(ParameterGroup.ForWeightDecay(Name, StateParameters, c.Joint.Lr, c.Dae.WeightDecay ?? c.WeightDecay), eps: c.Dae.Eps);
        int daeBatches = (texts.Count + (c.Dae.BatchSize ?? c.BatchSize) - 1) / (c.Dae.BatchSize ?? c.BatchSize);
        int steps = Steps(daeBatches, _cl.BatchesPerEpoch);
        Schedule = LrSchedule.Create("constant", 0, steps * c.Joint.Epochs);
    }

    int Steps(int nDae, int nCl) => _c.Joint.Mode == "sum" ? Math.Max(nDae, nCl) : 2 * Math.Max(nDae, nCl);
    public override string Name => PhaseKind.Joint.Name();
    public override int ExampleCount => _dae.ExampleCount + _cl.ExampleCount;
    public override int MaxEpochs => _c.Joint.Epochs;

    public override int BeginEpoch(int epoch)
    {
        _nDae = _dae.BeginEpoch(epoch);
        _nCl = _cl.BeginEpoch(epoch);
        return Steps(_nDae, _nCl);
    }

    public override Tensor Loss(int index)
    {
        if (_c.Joint.Mode == "sum") return _dae.Loss(index % _nDae) + _cl.Loss(index % _nCl);
        int k = index / 2;
        return index % 2 == 0 ? _dae.Loss(k % _nDae) : _cl.Loss(k % _nCl);
    }

    public override void SetTraining(bool training) { _dae.SetTraining(training); _cl.SetTraining(training); }

    public override void Dispose()
    {
        base.Dispose();
        _dae.Dispose();
        _cl.Dispose();
    }
}
