using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Evaluation;
using PhaseTune.IO;
using PhaseTune.Phases;
using PhaseTune.Training;
using TorchSharp;

namespace PhaseTune.Runs;

/// <summary>The one path every command trains through (train, ablate, pretrain, multitask). It owns what a run's
/// phases share: torch seeded per phase from the run seed, the <see cref="Trainer"/> (log.jsonl, checkpoints, resume),
/// seconds per phase and the dev set's cluster quality after each (kept in DIR/phase_seconds.json so a resumed run
/// still reports them), and the end of a run:
/// outputs written, then the checkpoint removed. It holds the folder's <see cref="RunLock"/> until disposed.</summary>
public sealed class PhaseRunner : IDisposable
{
    readonly RunLock _lock;
    readonly Trainer _trainer;
    readonly int _seed;
    readonly int _resumeAt;
    readonly string _timesPath;
    readonly Dictionary<string, double> _seconds = new();
    readonly Dictionary<string, int> _examples = new();
    readonly Dictionary<string, JsonNode?> _quality = new();
    readonly CancellationToken _cancel;

    /// <param name="identity">what must be unchanged for a checkpoint in <paramref name="outDir"/> to be resumed</param>
    /// <param name="restart">discard a checkpoint instead of resuming from it</param>
    /// <param name="cancel">stops the run at the next optimiser step (or before the next phase), leaving a checkpoint
    /// that resumes it</param>
    public PhaseRunner(string outDir, int seed, TrainerOptions options, string identity, ITrainingObserver? observer = null, bool restart = false,
        CancellationToken cancel = default)
    {
        _lock = RunLock.Acquire(outDir);
        if (restart && Directory.Exists(Path.Combine(outDir, "checkpoint"))) Directory.Delete(Path.Combine(outDir, "checkpoint"), true);
        _cancel = cancel;
        _trainer = new Trainer(outDir, options, identity, observer, cancel);
        _seed = seed;
        _resumeAt = _trainer.ResumePhaseIndex;
        // a fresh run's maps, plots and event files must not mix with an earlier run's in the same folder
        if (_resumeAt < 0)
            foreach (var derived in Derived)
                if (Directory.Exists(Path.Combine(outDir, derived))) Directory.Delete(Path.Combine(outDir, derived), true);
        _timesPath = Path.Combine(outDir, "phase_seconds.json");
        if (_resumeAt >= 0 && File.Exists(_timesPath))
        {
            var saved = JsonNode.Parse(File.ReadAllText(_timesPath))!;
            foreach (var (k, v) in saved["seconds"]!.AsObject()) _seconds[k] = v!.GetValue<double>();
            foreach (var (k, v) in saved["examples"]!.AsObject()) _examples[k] = v!.GetValue<int>();
            foreach (var (k, v) in saved["cluster_quality"]?.AsObject() ?? []) _quality[k] = v?.DeepClone();
        }
    }

    /// <summary>Folders a run derives from its training (2-D maps, plots, TensorBoard events): cleared when a run starts
    /// fresh, kept when it resumes.</summary>
    public static readonly string[] Derived = ["embeddings", "plots", "tensorboard"];

    /// <summary>What a run writes in its folder besides the recipe's own outputs.</summary>
    public static readonly string[] Writes = ["checkpoint", "log.jsonl", "phase_seconds.json", RunLock.FileName + "*"];

    public IReadOnlyDictionary<string, double> Seconds => _seconds;

    /// <summary>Examples per epoch of each phase that ran (texts, pairs, rows).</summary>
    public IReadOnlyDictionary<string, int> Examples => _examples;

    /// <summary>The dev set's cluster quality at the start ("start") and after each phase, in the order measured;
    /// null where it cannot be measured (pairs, one class).</summary>
    public JsonObject ClusterQualityJson() => new(_quality.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));

    /// <summary>Measures and keeps the cluster quality under <paramref name="name"/> (a phase that ran, or "start").</summary>
    public void RecordQuality(string name, Func<ClusterQuality?> measure)
    {
        _quality[name] = measure()?.ToJson();
        Save();
    }

    /// <summary>Every measurement so far (a resumed run's earlier ones included), as kept on disk.</summary>
    public IReadOnlyList<(string Phase, ClusterQuality? Quality)> Measured() => _quality.Select(kv => (kv.Key, ClusterQuality.FromJson(kv.Value))).ToList();

    /// <summary>Whether phase <paramref name="index"/> finished before this run was killed (its weights are in the checkpoint).</summary>
    public bool Finished(int index) => index < _resumeAt;

    /// <summary>Counts a phase that ran outside this run (an ablation's shared DAE) unless a resumed run has it.</summary>
    public void Credit(PhaseKind kind, double seconds, int examples)
    {
        _seconds.TryAdd(kind.Name(), seconds);
        _examples.TryAdd(kind.Name(), examples);
    }

    /// <summary>Seeds torch for the phase, builds it, trains it (resuming it if the checkpoint was taken in it) and
    /// times it. The caller disposes the phase when done with it.</summary>
    public T Run<T>(int index, PhaseKind kind, Func<T> create) where T : TrainingPhase
    {
        _cancel.ThrowIfCancellationRequested();
        string name = kind.Name();
        torch.manual_seed(Seeds.Mix(_seed, "torch-" + name));
        var clock = Stopwatch.StartNew();
        var phase = create();
        _trainer.Run(phase, index);
        _seconds[name] = _seconds.GetValueOrDefault(name) + clock.Elapsed.TotalSeconds;
        _examples[name] = phase.ExampleCount;
        Save();
        return phase;
    }

    void Save() => AtomicFile.WriteAllText(_timesPath, new JsonObject
    {
        ["seconds"] = JsonSerializer.SerializeToNode(_seconds), ["examples"] = JsonSerializer.SerializeToNode(_examples),
        ["cluster_quality"] = ClusterQualityJson(),
    }.ToJsonString());

    /// <summary>Writes the run's outputs, then removes the checkpoint: a kill before this point resumes, after it the
    /// outputs are whole.</summary>
    public void Complete(Action writeOutputs)
    {
        writeOutputs();
        _trainer.Complete();
        File.Delete(_timesPath);
    }

    public void Dispose() => _lock.Dispose();
}
