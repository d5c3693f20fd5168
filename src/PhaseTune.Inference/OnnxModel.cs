using Microsoft.ML.OnnxRuntime;
using PhaseTune.Text;

namespace PhaseTune.Inference;

/// <summary>An export folder loaded for inference: its OnnxRuntime session, tokenizer and manifest. Runs texts in
/// length-sorted calls and returns each requested output per text, in the input order. Thread-safe: a session may
/// run concurrent calls and the tokenizers keep no per-call state.</summary>
internal sealed class OnnxModel : IDisposable
{
    readonly InferenceSession _session;
    readonly InferenceOptions _options;

    public ExportManifest Manifest { get; }
    public ITokenizer Tokenizer { get; }

    public OnnxModel(string folder, InferenceOptions? options)
    {
        _options = options ?? InferenceOptions.Default;
        if (_options.Threads < 0) throw new ArgumentOutOfRangeException(nameof(options), _options.Threads, "threads must be 0 (OnnxRuntime's choice) or more");
        if (_options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.BatchSize, "batch size must be at least 1");
        Manifest = ExportManifest.Load(folder);
        Tokenizer = TokenizerLoader.Load(folder);
        using var so = new SessionOptions
        {
            IntraOpNumThreads = _options.Threads, InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try { _session = new InferenceSession(Manifest.ModelFile, so); }
        catch (OnnxRuntimeException e) { throw new InvalidDataException($"{Manifest.ModelFile}: OnnxRuntime cannot load it ({e.Message})", e); }
        var missing = Manifest.Inputs.Except(_session.InputNames).Concat(_session.InputNames.Except(Manifest.Inputs)).FirstOrDefault();
        if (missing is not null)
        {
            _session.Dispose();
            throw new InvalidDataException($"{Manifest.ModelFile}: its inputs ({string.Join(", ", _session.InputNames)}) differ from {ExportManifest.FileName}'s ({string.Join(", ", Manifest.Inputs)})");
        }
    }

    /// <returns>for each name in <paramref name="outputs"/>, one row per text (or pair)</returns>
    public float[][][] Run(IReadOnlyList<(string A, string? B)> texts, params string[] outputs)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var encodings = new TokenEncoding[texts.Count];
        for (int i = 0; i < texts.Count; i++)
            encodings[i] = Tokenizer.Encode(texts[i].A ?? throw new ArgumentException($"text {i} is null", nameof(texts)), texts[i].B, Manifest.MaxLength);
        return Run(encodings, outputs);
    }

    /// <summary>Single texts as the pairs <see cref="Run(IReadOnlyList{ValueTuple{string, string}}, string[])"/> takes.</summary>
    public static (string A, string? B)[] Singles(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return texts.Select(t => (t, (string?)null)).ToArray();
    }

    /// <summary>Runs encodings made by <see cref="Tokenizer"/> (at most <see cref="ExportManifest.MaxLength"/> tokens).</summary>
    public float[][][] Run(IReadOnlyList<TokenEncoding> encodings, params string[] outputs)
    {
        foreach (var name in outputs)
            if (!_session.OutputNames.Contains(name)) throw new InvalidOperationException($"{Manifest.ModelFile} has no output '{name}'");
        for (int i = 0; i < encodings.Count; i++)
            if (encodings[i].Length is 0 || encodings[i].Length > Manifest.MaxLength)
                throw new ArgumentException($"encoding {i} has {encodings[i].Length} tokens; the model takes 1 to {Manifest.MaxLength}", nameof(encodings));
        var result = outputs.Select(_ => new float[encodings.Count][]).ToArray();
        foreach (var call in LengthBatches.Plan(encodings.Select(e => e.Length).ToArray(), _options.BatchSize, _options.SortByLength))
        {
            var rows = RunCall(call.Select(i => encodings[i]).ToArray(), outputs);
            for (int k = 0; k < outputs.Length; k++)
                for (int r = 0; r < call.Length; r++) result[k][call[r]] = rows[k][r];
        }
        return result;
    }

    float[][][] RunCall(TokenEncoding[] batch, string[] outputs)
    {
        int b = batch.Length, t = batch.Max(e => e.Length);
        var ids = new long[b * t]; var mask = new long[b * t]; var types = new long[b * t];
        Array.Fill(ids, Tokenizer.PadId);
        for (int r = 0; r < b; r++)
            for (int j = 0; j < batch[r].Length; j++)
            {
                ids[r * t + j] = batch[r].Ids[j];
                mask[r * t + j] = 1;
                types[r * t + j] = batch[r].TypeIds[j];
            }
        long[] shape = [b, t];
        var names = Manifest.Inputs.ToArray();
        var values = names.Select(n => OrtValue.CreateTensorValueFromMemory(n switch { "input_ids" => ids, "attention_mask" => mask, _ => types }, shape)).ToArray();
        try
        {
            using var run = new RunOptions();
            using var results = _session.Run(run, names, values, outputs);
            return results.Select(v => Rows(v, b)).ToArray();
        }
        finally { foreach (var v in values) v.Dispose(); }
    }

    static float[][] Rows(OrtValue v, int b)
    {
        var flat = v.GetTensorDataAsSpan<float>();
        int width = flat.Length / b;
        var rows = new float[b][];
        for (int r = 0; r < b; r++) rows[r] = flat.Slice(r * width, width).ToArray();
        return rows;
    }

    public void Dispose() => _session.Dispose();
}
