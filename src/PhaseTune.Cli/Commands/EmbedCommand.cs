using System.CommandLine;
using System.Text.Json;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune embed`: one JSONL line {"text", "embedding"} per input line, in input order.</summary>
public static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "HF or sentence-transformers model directory", Required = true };
        var input = new Option<string>("--input") { Description = "UTF-8 text file, one text per line", Required = true };
        var output = new Option<string>("--output") { Description = "JSONL file to write", Required = true };
        var pooling = new Option<string?>("--pooling") { Description = "cls|mean|max|pooler (default: the model's sentence-transformers pooling, else cls)" };
        var maxLength = new Option<int>("--max-length") { Description = "truncate texts to this many tokens", DefaultValueFactory = _ => 512 };
        var batchSize = new Option<int>("--batch-size") { Description = "texts per forward pass", DefaultValueFactory = _ => 32 };
        var cmd = new Command("embed", "Encode texts into sentence embeddings.") { model, input, output, pooling, maxLength, batchSize };
        cmd.SetAction(r => CliErrors.Run(() => Run(r.GetValue(model)!, r.GetValue(input)!, r.GetValue(output)!,
            r.GetValue(pooling), r.GetValue(maxLength), r.GetValue(batchSize))));
        return cmd;
    }

    static int Run(string modelDir, string input, string output, string? pooling, int maxLength, int batchSize)
    {
        if (maxLength < 3) throw new ArgumentException($"--max-length must be at least 3 (got {maxLength})");
        if (batchSize < 1) throw new ArgumentException($"--batch-size must be positive (got {batchSize})");
        var texts = TextLines.Read(input);
        if (texts.Count == 0) throw new InvalidDataException($"{input}: input file is empty");
        var mode = pooling is null ? (PoolingMode?)null : Pooling.Parse(pooling);

        var loaded = ModelDirectory.Load(modelDir);
        if (loaded.Report.Unused.Count > 0)
            Console.Error.WriteLine($"phasetune: ignored {loaded.Report.Unused.Count} checkpoint tensors the encoder does not use: {string.Join(", ", loaded.Report.Unused)}");
        if (loaded.Report.NewlyInitialized.Count > 0)
            Console.Error.WriteLine($"phasetune: not in the checkpoint, freshly initialised: {string.Join(", ", loaded.Report.NewlyInitialized)}");
        var embedder = new Embedder(loaded.Model, loaded.Tokenizer, mode ?? loaded.PoolingOrDefault, loaded.Normalize);
        var vectors = embedder.Embed(texts, maxLength, batchSize);
        AtomicFile.Write(output, s =>
        {
            using var w = new Utf8JsonWriter(s, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            for (int i = 0; i < texts.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("text", texts[i]);
                w.WriteStartArray("embedding");
                foreach (var v in vectors[i]) w.WriteNumberValue(v);
                w.WriteEndArray();
                w.WriteEndObject();
                w.Flush();
                s.WriteByte((byte)'\n');
                w.Reset();
            }
        });
        Console.Error.WriteLine($"phasetune: wrote {texts.Count} embeddings of size {vectors[0].Length} to {output}");
        return 0;
    }
}
