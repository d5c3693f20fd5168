using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Phases;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Training;

/// <summary>Runs phases step by step: every step in its own dispose scope, gradient clipping, the schedule,
/// log.jsonl lines, and checkpoints (parameters, optimiser moments and step, torch RNG, position in the epoch,
/// phase extras) written atomically, from which a killed run resumes exactly where the checkpoint was taken.</summary>
public sealed class Trainer
{
    readonly string _dir;
    readonly TrainConfig _config;
    readonly string _configHash;
    readonly ITrainingObserver _observer;
    JsonObject? _resume;
    SafeTensorsFile? _resumeTensors;

    public string CheckpointDir => Path.Combine(_dir, "checkpoint");
    public string LogPath => Path.Combine(_dir, "log.jsonl");

    /// <param name="identity">what must be unchanged for a checkpoint to be resumed (default: the whole config)</param>
    public Trainer(string outDir, TrainConfig config, ITrainingObserver? observer = null, string? identity = null)
    {
        _dir = outDir;
        _config = config;
        _configHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(identity ?? config.ToJson())))[..16];
        _observer = observer ?? SilentObserver.Instance;
        Directory.CreateDirectory(outDir);
        string state = Path.Combine(CheckpointDir, "state.json");
        if (File.Exists(state))
        {
            _resume = JsonNode.Parse(File.ReadAllText(state))!.AsObject();
            if (_resume["config_hash"]!.GetValue<string>() != _configHash)
                throw new InvalidOperationException($"{outDir} holds a checkpoint of a different configuration; use another --out or --restart");
            _resumeTensors = SafeTensorsFile.Open(Path.Combine(CheckpointDir, "tensors.safetensors"));
            long logBytes = _resume["log_bytes"]!.GetValue<long>();
            if (File.Exists(LogPath)) using (var f = new FileStream(LogPath, FileMode.Open)) f.SetLength(Math.Min(f.Length, logBytes));
        }
        else if (File.Exists(LogPath)) File.Delete(LogPath);
    }

    /// <summary>Index of the phase the checkpoint was taken in, or -1 for a fresh run.</summary>
    public int ResumePhaseIndex => _resume?["phase_index"]!.GetValue<int>() ?? -1;

    public void Run(TrainingPhase phase, int phaseIndex)
    {
        int epoch = 0, startBatch = 0;
        if (_resume is not null && ResumePhaseIndex == phaseIndex)
        {
            (epoch, startBatch) = Restore(phase);
            _observer.Message($"resuming {phase.Name} at epoch {epoch + 1}, batch {startBatch}");
        }
        var clock = Stopwatch.StartNew();
        _observer.PhaseStarted(phase.Name, phase.Schedule.TotalSteps, phase.Optimizer.StepCount);
        var parameters = phase.Optimizer.Parameters.ToList();
        using var log = new StreamWriter(LogPath, append: true, new UTF8Encoding(false));
        bool stop = false;
        for (; epoch < phase.MaxEpochs && !stop; epoch++, startBatch = 0)
        {
            int batches = phase.BeginEpoch(epoch);
            phase.SetTraining(true);
            for (int b = startBatch; b < batches; b++)
            {
                double loss;
                using (var scope = NewDisposeScope())
                {
                    phase.Optimizer.ZeroGrad();
                    var l = phase.Backward(b);
                    if (_config.MaxGradNorm > 0) nn.utils.clip_grad_norm_(parameters, _config.MaxGradNorm);
                    phase.Schedule.Apply(phase.Optimizer);
                    phase.Optimizer.Step();
                    loss = l.item<float>();
                }
                if (double.IsNaN(loss)) throw new InvalidOperationException($"{phase.Name}: loss became NaN at epoch {epoch + 1}, batch {b}");
                long step = phase.Optimizer.StepCount;
                double lr = phase.Optimizer.Groups[0].Lr;
                _observer.Step(phase.Name, epoch, step, loss, lr);
                if (step % _config.LogEvery == 0 || b == batches - 1)
                {
                    log.WriteLine(JsonSerializer.Serialize(new { phase = phase.Name, epoch = epoch + 1, step, loss, lr }));
                    log.Flush();
                }
                if (_config.CheckpointEvery > 0 && step % _config.CheckpointEvery == 0 && b < batches - 1)
                    Save(phase, phaseIndex, epoch, b + 1, log);
            }
            stop = phase.EndEpoch(epoch, _observer);
            Save(phase, phaseIndex, stop ? phase.MaxEpochs : epoch + 1, 0, log);
        }
        phase.Finish();
        _observer.PhaseFinished(phase.Name, clock.Elapsed);
    }

    void Save(TrainingPhase phase, int phaseIndex, int epoch, int batch, StreamWriter log)
    {
        log.Flush();
        var tensors = new List<(string, Tensor)>();
        tensors.AddRange(phase.StateParameters.Select(p => ("param." + p.Name, (Tensor)p.Param)));
        tensors.AddRange(phase.Optimizer.StateTensors().Select(t => ("opt." + t.Item1, t.Item2)));
        using var rng = torch.get_rng_state();
        tensors.Add(("rng", rng));
        var extra = phase.SaveExtra(tensors);
        var state = new JsonObject
        {
            ["phase_index"] = phaseIndex, ["phase"] = phase.Name, ["epoch"] = epoch, ["batch"] = batch,
            ["optimizer_step"] = phase.Optimizer.StepCount, ["log_bytes"] = new FileInfo(LogPath).Length,
            ["config_hash"] = _configHash, ["extra"] = extra,
        };
        AtomicDirectory.Write(CheckpointDir, tmp =>
        {
            SafeTensorsFile.Save(Path.Combine(tmp, "tensors.safetensors"), tensors);
            AtomicFile.WriteAllText(Path.Combine(tmp, "state.json"), state.ToJsonString());
        });
    }

    (int Epoch, int Batch) Restore(TrainingPhase phase)
    {
        var file = _resumeTensors!;
        Tensor? Get(string name) => file.Entries.ContainsKey(name) ? file.Read(name) : null;
        using (no_grad())
            foreach (var (name, p) in phase.StateParameters)
            {
                var t = Get("param." + name) ?? throw new InvalidDataException($"{CheckpointDir}: no saved value for '{name}'");
                p.copy_(t);
            }
        phase.Optimizer.LoadState(_resume!["optimizer_step"]!.GetValue<long>(), n => Get("opt." + n));
        if (Get("rng") is Tensor rng) torch.set_rng_state(rng);
        phase.LoadExtra(_resume["extra"]!.AsObject(), Get);
        var at = (_resume["epoch"]!.GetValue<int>(), _resume["batch"]!.GetValue<int>());
        _resume = null;
        return at;
    }

    /// <summary>Removes the checkpoint once the whole run is done and its outputs are written.</summary>
    public void Complete()
    {
        if (Directory.Exists(CheckpointDir)) Directory.Delete(CheckpointDir, recursive: true);
    }
}
