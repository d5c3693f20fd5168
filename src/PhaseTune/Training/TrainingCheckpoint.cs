using System.Text.Json.Nodes;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Training;

/// <summary>DIR/checkpoint: everything a killed run needs to go on exactly where it stopped — the phase's parameters,
/// optimiser moments and step, torch's RNG state, the position in the epoch, the phase's extras (best weights) and
/// how much of log.jsonl was written by then. Written as a whole directory (temp + rename), so a kill during a save
/// leaves the previous checkpoint intact.</summary>
public sealed class TrainingCheckpoint
{
    readonly string _identityHash;
    JsonObject? _state;
    SafeTensorsFile? _tensors;

    public string Directory { get; }

    /// <summary>Opens DIR/checkpoint if there is one; a checkpoint of another identity (configuration) is refused.</summary>
    public TrainingCheckpoint(string runDir, string identityHash)
    {
        Directory = Path.Combine(runDir, "checkpoint");
        _identityHash = identityHash;
        string statePath = Path.Combine(Directory, "state.json");
        if (!File.Exists(statePath)) return;
        _state = JsonNode.Parse(File.ReadAllText(statePath))!.AsObject();
        if (_state["config_hash"]!.GetValue<string>() != identityHash)
            throw new InvalidOperationException($"{runDir} holds a checkpoint of a different configuration; use another --out or --restart");
        _tensors = SafeTensorsFile.Open(Path.Combine(Directory, "tensors.safetensors"));
        Latest = $"{Directory} (phase {_state["phase"]}, {_state["epoch"]} epochs and {_state["batch"]} batches done)";
    }

    /// <summary>Index of the phase the checkpoint was taken in, or -1 when there is nothing to resume.</summary>
    public int PhaseIndex => _state?["phase_index"]!.GetValue<int>() ?? -1;

    /// <summary>Bytes of log.jsonl written when the checkpoint was taken (later lines are replayed on resume).</summary>
    public long LogBytes => _state?["log_bytes"]!.GetValue<long>() ?? 0;

    /// <summary>What the latest checkpoint holds, for messages: "DIR/checkpoint (phase ft, epoch 2, batch 0)".</summary>
    public string? Latest { get; private set; }

    public void Save(TrainingPhase phase, int phaseIndex, int epoch, int batch, long logBytes)
    {
        var tensors = new List<(string, Tensor)>();
        tensors.AddRange(phase.StateParameters.Select(p => ("param." + p.Name, (Tensor)p.Param)));
        tensors.AddRange(phase.Optimizer.StateTensors().Select(t => ("opt." + t.Item1, t.Item2)));
        using var rng = torch.get_rng_state();
        tensors.Add(("rng", rng));
        var extra = phase.SaveExtra(tensors);
        var state = new JsonObject
        {
            ["phase_index"] = phaseIndex, ["phase"] = phase.Name, ["epoch"] = epoch, ["batch"] = batch,
            ["optimizer_step"] = phase.Optimizer.StepCount, ["log_bytes"] = logBytes,
            ["config_hash"] = _identityHash, ["extra"] = extra,
        };
        AtomicDirectory.Write(Directory, tmp =>
        {
            SafeTensorsFile.Save(Path.Combine(tmp, "tensors.safetensors"), tensors);
            AtomicFile.WriteAllText(Path.Combine(tmp, "state.json"), state.ToJsonString());
        });
        Latest = $"{Directory} (phase {phase.Name}, {epoch} epochs and {batch} batches done)";
    }

    /// <summary>Puts the saved state back into <paramref name="phase"/>; returns where in it to go on. Consumed:
    /// later phases of the run start fresh.</summary>
    public (int Epoch, int Batch) Restore(TrainingPhase phase)
    {
        var file = _tensors ?? throw new InvalidOperationException("no checkpoint to restore");
        Tensor? Get(string name) => file.Entries.ContainsKey(name) ? file.Read(name) : null;
        using (no_grad())
            foreach (var (name, p) in phase.StateParameters)
            {
                var t = Get("param." + name) ?? throw new InvalidDataException($"{Directory}: no saved value for '{name}'");
                p.copy_(t);
            }
        phase.Optimizer.LoadState(_state!["optimizer_step"]!.GetValue<long>(), n => Get("opt." + n));
        if (Get("rng") is Tensor rng) torch.set_rng_state(rng);
        phase.LoadExtra(_state["extra"]!.AsObject(), Get);
        var at = (_state["epoch"]!.GetValue<int>(), _state["batch"]!.GetValue<int>());
        (_state, _tensors) = (null, null);
        return at;
    }

    public void Delete()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }
}
