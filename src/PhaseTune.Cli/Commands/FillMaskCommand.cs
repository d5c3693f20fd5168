using System.CommandLine;
using System.Text.Json.Nodes;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune fill-mask`: per input line with the tokenizer's mask token, the top-k tokens for each mask.</summary>
public static class FillMaskCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Required = true, Description = "a model directory or Hub model org/name[@revision] with a masked-LM head" };
        var input = new Option<string>("--input") { Required = true, Description = "UTF-8 text, one text per line, each with the mask token ([MASK] or <mask>)" };
        var output = new Option<string>("--output") { Required = true, Description = "JSONL: {\"text\", \"predictions\": [[{\"token_id\", \"token\", \"score\"}, ...] per mask]}" };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 5, Description = "predictions per mask" };
        var cmd = new Command("fill-mask", "Predict the tokens behind mask tokens, as HF's fill-mask pipeline.") { model, input, output, topK };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            string inPath = r.GetValue(input)!, outPath = r.GetValue(output)!;
            if (r.GetValue(topK) < 1) throw new ArgumentException($"--top-k must be at least 1 (got {r.GetValue(topK)})");
            PathGuard.CheckOutput(("--output", outPath), ("--input", inPath), ("--model", r.GetValue(model)));
            var loaded = ModelDirectory.Load(r.GetValue(model)!);
            var filler = new MaskFiller(loaded.Model, loaded.Tokenizer);
            int line = 0;
            AtomicFile.Write(outPath, s =>
            {
                using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
                foreach (var text in TextLines.Stream(inPath))
                {
                    line++;
                    List<(int Id, string Token, float Score)[]> masks;
                    try { masks = filler.Fill(text, r.GetValue(topK)); }
                    catch (ArgumentException e) { throw new InvalidDataException($"{inPath}:{line}: {e.Message}"); }
                    var predictions = new JsonArray(masks.Select(m => (JsonNode)new JsonArray(m.Select(p => (JsonNode)new JsonObject
                        { ["token_id"] = p.Id, ["token"] = p.Token, ["score"] = p.Score }).ToArray())).ToArray());
                    w.WriteLine(new JsonObject { ["text"] = text, ["predictions"] = predictions }.ToJsonString());
                }
                if (line == 0) throw new InvalidDataException($"{inPath}: input file is empty");
            });
            Console.Error.WriteLine($"phasetune: wrote {line} predictions to {outPath}");
            return 0;
        }));
        return cmd;
    }
}
