using static TorchSharp.torch;

namespace PhaseTune.ModelFiles;

/// <summary>Fills a module from a checkpoint (any <see cref="ICheckpoint"/>) by HF key, accepting the task-model prefixes
/// (`bert.`, `roberta.`, `distilbert.`, `electra.`, `model.`) and the old LayerNorm names (`gamma`, `beta`).</summary>
public static class CheckpointLoader
{
    static readonly string[] Prefixes = ["bert.", "roberta.", "distilbert.", "electra.", "model.", "encoder_model."];

    /// <summary>Index buffers older transformers saved with the weights; HF skips them on load, and so do we.</summary>
    static readonly string[] DerivedBuffers = ["embeddings.position_ids", "embeddings.token_type_ids"];

    /// <param name="optional">model keys that may be absent (they keep their initialisation), e.g. the pooler.</param>
    public static LoadReport Load(nn.Module model, string path, Func<string, bool>? optional = null) =>
        Load(model, CheckpointFiles.OpenFile(path), optional);

    /// <param name="rename">maps a checkpoint name, task prefix removed, to the model's key
    /// (<see cref="CheckpointNames.FromHf"/> for an architecture whose HF names differ from BERT's)</param>
    public static LoadReport Load(nn.Module model, ICheckpoint file, Func<string, bool>? optional = null, Func<string, string>? rename = null)
    {
        string path = file.Path;
        var byKey = new Dictionary<string, string>();          // canonical key → checkpoint name
        foreach (var name in file.Tensors.Keys)
            byKey.TryAdd(rename is null ? Canonical(name) : rename(Canonical(name)), name);

        var state = model.state_dict();
        var missing = new List<string>();
        var mismatched = new List<string>();
        var fresh = new List<string>();
        var used = new HashSet<string>();
        var loads = new List<(Tensor Target, string Source)>();
        foreach (var (key, target) in state)
        {
            if (!byKey.TryGetValue(key, out var source))
            {
                if (optional?.Invoke(key) == true) fresh.Add(key); else missing.Add(key);
                continue;
            }
            used.Add(source);
            var shape = file.Tensors[source].Shape;
            if (!shape.SequenceEqual(target.shape))
                mismatched.Add($"{source}: checkpoint [{string.Join(", ", shape)}] vs model [{string.Join(", ", target.shape)}]");
            else loads.Add((target, source));
        }
        if (missing.Count > 0 || mismatched.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing keys ({missing.Count}): {string.Join(", ", missing)}");
            if (mismatched.Count > 0) parts.Add($"shape mismatches ({mismatched.Count}): {string.Join("; ", mismatched)}");
            throw new InvalidDataException($"{path}: checkpoint does not fit the model: {string.Join(". ", parts)}");
        }
        using (no_grad())
            foreach (var (target, source) in loads)
            {
                using var scope = NewDisposeScope();
                target.copy_(file.Read(source).to_type(target.dtype));
            }
        var unused = file.Tensors.Keys.Where(k => !used.Contains(k) && !DerivedBuffers.Contains(Canonical(k))).OrderBy(k => k, StringComparer.Ordinal).ToList();
        return new LoadReport(path, unused, fresh);
    }

    static string Canonical(string name)
    {
        foreach (var p in Prefixes)
            if (name.StartsWith(p, StringComparison.Ordinal)) { name = name[p.Length..]; break; }
        if (name.EndsWith(".gamma", StringComparison.Ordinal)) return name[..^6] + ".weight";
        if (name.EndsWith(".beta", StringComparison.Ordinal)) return name[..^5] + ".bias";
        return name;
    }
}
