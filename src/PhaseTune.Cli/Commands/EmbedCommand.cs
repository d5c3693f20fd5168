using System.CommandLine;
using System.Text.Json;
using PhaseTune.Inference;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune embed`: one JSONL line {"text", "embedding"} per input line, in input order.</summary>
public static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "HF or sentence-transformers model directory, a Hub model org/name[@revision], or an export folder (phasetune export)", Required = true };
        var input = new Option<string>("--input") { Description = "UTF-8 text file, one text per line", Required = true };
        var output = new Option<string>("--output") { Description = "JSONL file to write", Required = true };
        var pooling = new Option<string?>("--pooling") { Description = "cls|mean|max|pooler (default: the model's sentence-transformers pooling, else cls)" };
        var maxLength = new Option<int?>("--max-length") { Description = "truncate texts to this many tokens (default: the model's sentence-transformers max_seq_length, else 512)" };
        var batchSize = new Option<int>("--batch-size") { Description = "texts per forward pass", DefaultValueFactory = _ => 32 };
        var precision = PrecisionFlag.Create();
        var cmd = new Command("embed", "Encode texts into sentence embeddings.") { model, input, output, pooling, maxLength, batchSize, precision };
        cmd.SetAction(r => CliErrors.Run(() => Run(r.GetValue(model)!, r.GetValue(input)!, r.GetValue(output)!,
            r.GetValue(pooling), r.GetValue(maxLength), r.GetValue(batchSize), Autocast.Resolve(r.GetValue(precision)!))));
        return cmd;
    }

    static int Run(string modelDir, string input, string output, string? pooling, int? maxLengthFlag, int batchSize, Precision precision)
    {
        if (maxLengthFlag is < 3) throw new ArgumentException($"--max-length must be at least 3 (got {maxLengthFlag})");
        if (batchSize < 1) throw new ArgumentException($"--batch-size must be positive (got {batchSize})");
        PathGuard.CheckOutput(("--output", output), ("--input", input), ("--model", modelDir));
        var texts = TextLines.Stream(input);
        var mode = pooling is null ? (PoolingMode?)null : Pooling.Parse(pooling);

        var vectors = ExportManifest.IsExportFolder(modelDir)
            ? ExportedVectors(modelDir, texts, pooling, maxLengthFlag, batchSize, precision)
            : TorchSharpVectors(modelDir, texts, mode, maxLengthFlag, batchSize, precision);
        int count = 0, size = 0;
        // streamed into a temporary file that replaces --output only once every line is written
        AtomicFile.Write(output, s =>
        {
            using var w = new Utf8JsonWriter(s, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            foreach (var (text, vector) in vectors)
            {
                w.WriteStartObject();
                w.WriteString("text", text);
                w.WriteStartArray("embedding");
                foreach (var v in vector) w.WriteNumberValue(v);
                w.WriteEndArray();
                w.WriteEndObject();
                w.Flush();
                s.WriteByte((byte)'\n');
                w.Reset();
                (count, size) = (count + 1, vector.Length);
            }
            if (count == 0) throw new InvalidDataException($"{input}: input file is empty");
        });
        Console.Error.WriteLine($"phasetune: wrote {count} embeddings of size {size} to {output}");
        return 0;
    }

    static IEnumerable<(string Text, float[] Vector)> TorchSharpVectors(string modelDir, IEnumerable<string> texts, PoolingMode? mode, int? maxLengthFlag, int batchSize, Precision precision)
    {
        var loaded = ModelDirectory.Load(modelDir);
        if (loaded.Report.Unused.Count > 0)
            Console.Error.WriteLine($"phasetune: ignored {loaded.Report.Unused.Count} checkpoint tensors the encoder does not use: {string.Join(", ", loaded.Report.Unused)}");
        if (loaded.Report.NewlyInitialized.Count > 0)
            Console.Error.WriteLine($"phasetune: not in the checkpoint, freshly initialised: {string.Join(", ", loaded.Report.NewlyInitialized)}");
        using var embedder = new Embedder(loaded.Model, loaded.Tokenizer, mode ?? loaded.PoolingOrDefault, loaded.Normalize) { Precision = precision };
        foreach (var row in embedder.Stream(texts, maxLengthFlag ?? loaded.MaxSeqLength ?? 512, batchSize)) yield return row;
    }

    /// <summary>An export folder's graph fixes its pooling and length, so the flags that would change them are refused.</summary>
    static IEnumerable<(string Text, float[] Vector)> ExportedVectors(string exportDir, IEnumerable<string> texts, string? pooling, int? maxLengthFlag, int batchSize, Precision precision)
    {
        if (pooling is not null || maxLengthFlag is not null || precision != Precision.Fp32)
            throw new ArgumentException($"{exportDir} is an export folder: its pooling, max length and precision are part of model.onnx (see export.json); leave out --pooling, --max-length and --precision");
        using var embedder = new OnnxEmbedder(exportDir, new InferenceOptions(BatchSize: batchSize));
        foreach (var window in texts.Chunk(Embedder.Window))
            foreach (var row in window.Zip(embedder.Embed(window))) yield return row;
    }
}
