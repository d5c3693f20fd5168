using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.Evaluation;
using PhaseTune.Inference;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune eval` (metrics JSON on stdout) and `phasetune predict` (JSONL of label and scores).</summary>
public static class EvalCommand
{
    public static Command CreateEval()
    {
        var model = new Option<string>("--model") { Required = true, Description = "a trained model directory (DIR/model), its export folder (phasetune export), or a Hub model org/name[@revision]" };
        var data = new Option<string>("--data") { Required = true, Description = "a labelled file, or a directory (its test file, else dev)" };
        var textColumn = new Option<string>("--text-column") { DefaultValueFactory = _ => "text" };
        var labelColumn = new Option<string>("--label-column") { DefaultValueFactory = _ => "label" };
        var precision = PrecisionFlag.Create();
        var cmd = new Command("eval", "Evaluate a trained classifier; prints metrics JSON.") { model, data, textColumn, labelColumn, precision };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            string path = DataSplits.FindEvaluationFile(r.GetValue(data)!);
            var examples = DatasetReader.Read(path, new ColumnOptions(r.GetValue(textColumn)!, r.GetValue(labelColumn)!));
            using var classifier = ClassifierLoader.Load(r.GetValue(model)!, precision: Autocast.Resolve(r.GetValue(precision)!));
            var labels = new LabelSet(classifier.Labels);
            labels.CheckKnown(examples, path);
            var metrics = ClassifierEvaluation.Evaluate(classifier, examples, labels).ToJson();
            metrics["data"] = path;
            Console.WriteLine(metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return cmd;
    }

    public static Command CreatePredict()
    {
        var model = new Option<string>("--model") { Required = true, Description = "a trained model directory (DIR/model), its export folder (phasetune export), or a Hub model org/name[@revision]" };
        var input = new Option<string>("--input") { Required = true, Description = "text lines, or JSONL/CSV/TSV/Parquet with a text column" };
        var output = new Option<string>("--output") { Required = true, Description = "JSONL output" };
        var textColumn = new Option<string>("--text-column") { DefaultValueFactory = _ => "text" };
        var precision = PrecisionFlag.Create();
        var cmd = new Command("predict", "Predict labels; writes {text, label, scores} per input.") { model, input, output, textColumn, precision };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            string path = r.GetValue(input)!, outPath = r.GetValue(output)!;
            PathGuard.CheckOutput(("--output", outPath), ("--input", path), ("--model", r.GetValue(model)));
            var texts = InputTexts.Stream(path, r.GetValue(textColumn)!);
            using var classifier = ClassifierLoader.Load(r.GetValue(model)!, precision: Autocast.Resolve(r.GetValue(precision)!));
            int count = 0;
            // streamed into a temporary file that replaces --output only once every line is written
            AtomicFile.Write(outPath, s =>
            {
                using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
                foreach (var ((a, b), probs) in classifier.PredictStream(texts))
                {
                    var scores = new JsonObject();
                    for (int k = 0; k < classifier.Labels.Count; k++) scores[classifier.Labels[k]] = probs[k];
                    var row = new JsonObject { ["text"] = a };
                    if (b is not null) row["text2"] = b;
                    row["label"] = classifier.Labels[Array.IndexOf(probs, probs.Max())];
                    row["scores"] = scores;
                    w.WriteLine(row.ToJsonString());
                    count++;
                }
                if (count == 0) throw new InvalidDataException($"{path}: input file is empty");
            });
            Console.Error.WriteLine($"phasetune: wrote {count} predictions to {outPath}");
            return 0;
        }));
        return cmd;
    }
}
