using PhaseTune.Data;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Reports;
using PhaseTune.Text;
using PhaseTune.Training;
using TorchSharp;

namespace PhaseTune.Runs;

/// <summary>`phasetune pretrain`: one pre-training phase (DAE or an embedding objective, the config's only phase) on an
/// encoder, saved in HF layout with its pooling (DIR/model) for `train --model DIR/model` or `embed`. An ablation runs
/// its shared DAE phase through this too.</summary>
public static class PretrainRun
{
    /// <summary>The entries of its output folder a run writes or replaces.</summary>
    public static readonly string[] Writes = [.. PhaseRunner.Writes, "model", RunPlots.Folder, "tensorboard"];

    public static TimeSpan Run(string model, string? vocab, DataSplits data, TrainConfig c, string outDir,
        ITrainingObserver? observer = null, bool restart = false, CancellationToken cancel = default)
    {
        var (bert, tok, _) = ModelSource.Resolve(model, vocab, c.Seed);
        return Run(bert, tok, data, c, outDir, observer, restart, cancel);
    }

    /// <returns>how long the phase took</returns>
    public static TimeSpan Run(BertModel model, ITokenizer tok, DataSplits data, TrainConfig c, string outDir,
        ITrainingObserver? observer = null, bool restart = false, CancellationToken cancel = default)
    {
        var kind = Objective(c);
        if (c.Threads > 0) torch.set_num_threads(c.Threads);
        c = c.WithResolvedPrecision();
        using var autocast = Autocast.Scope(Autocast.Resolve(c.Precision));
        c = MaxLengthRule.Resolve(c, tok, data, model.Config.MaxSequenceLength);
        if (c.Dropout is double p) model.SetDropout(p);
        var encoder = new SentenceEncoder(model, Pooling.Parse(c.Pooling), c.Normalize);
        using var runner = new PhaseRunner(outDir, c.Seed, c.ToTrainerOptions(), c.ToJson(), observer, restart, cancel);
        runner.Run(0, kind, () => PhaseFactory.Create(kind, encoder, tok, data, c)).Dispose();
        var seconds = runner.Seconds[kind.Name()];
        runner.Complete(() =>
        {
            ModelDirectory.Save(model, tok, Path.Combine(outDir, "model"), new SentencePipeline(encoder.Pooling, encoder.Normalize, c.MaxLength));
            RunReport.TryWrite(outDir, observer, card: false);
        });
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The one pre-training phase a pretrain config holds.</summary>
    public static PhaseKind Objective(TrainConfig c)
    {
        c.Validate();
        if (c.Phases.Length != 1 || !PhaseKinds.PretrainObjectives.Contains(c.Phases[0]))
            throw new ArgumentException($"a pretrain run has one phase, one of {PhaseKinds.Names(PhaseKinds.PretrainObjectives)} (got '{PhaseKinds.Names(c.Phases)}')");
        return c.Phases[0];
    }
}
