using System.CommandLine;
using PhaseTune.Benchmarks;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.Models;
using PhaseTune.Text;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune bench train|encode` (speed runs, one JSON line) and `phasetune lengths` (a real workload).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Speed runs with the JSON keys of ../shared/bench/torch_peer.py.");
        foreach (var (name, train) in new[] { ("train", true), ("encode", false) })
        {
            var config = new Option<string>("--config") { Required = true, Description = "HF config.json of the encoder shape" };
            var lengths = new Option<string>("--lengths") { Required = true, Description = "token lengths, one per line" };
            var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 32 };
            var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 20 };
            var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => 2 };
            var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 2 };
            var padTo = new Option<int>("--pad-to") { DefaultValueFactory = _ => 0, Description = "pad every batch to N (0: longest in batch)" };
            var group = new Option<bool>("--group-by-length") { Description = "HF Trainer's group_by_length reordering" };
            var profile = new Option<bool>("--profile") { Description = "train: also print the milliseconds per step of each part of a step" };
            var onnx = new Option<bool>("--onnx") { Description = "encode: export the model and time it through PhaseTune.Inference (OnnxRuntime)" };
            var quantize = new Option<string>("--quantize") { DefaultValueFactory = _ => "none", Description = "with --onnx: none|int8" };
            var unsorted = new Option<bool>("--onnx-unsorted") { Description = "with --onnx: each batch as one call padded to its longest, not sorted and cut by length" };
            var objective = new Option<string>("--objective") { DefaultValueFactory = _ => "ft", Description = "train: ft (fine-tuning's head and loss) or dae (the DAE phase's step, tied decoder and vocabulary projection)" };
            var precision = PrecisionFlag.Create();
            var cmd = new Command(name, train ? "Time training steps." : "Time no-grad encoding.") { config, lengths, batch, steps, warmup, threads, padTo, group, precision };
            if (train) { cmd.Options.Add(profile); cmd.Options.Add(objective); }
            else { cmd.Options.Add(onnx); cmd.Options.Add(quantize); cmd.Options.Add(unsorted); }
            cmd.SetAction(r => CliErrors.Run(() =>
            {
                var lens = TextLines.Read(r.GetValue(lengths)!).Where(l => l.Trim().Length > 0).Select((l, i) =>
                    int.TryParse(l, out var n) && n > 0 ? n : throw new InvalidDataException($"{r.GetValue(lengths)}:{i + 1}: '{l}' is not a positive integer")).ToList();
                if (r.GetValue(batch) < 1 || r.GetValue(steps) < 1 || r.GetValue(warmup) < 0 || r.GetValue(threads) < 1)
                    throw new ArgumentException("--batch, --steps and --threads must be positive, --warmup not negative");
                string? runtime = null;
                if (!train)
                {
                    if (r.GetValue(quantize) is not ("none" or "int8")) throw new ArgumentException($"--quantize: unknown '{r.GetValue(quantize)}' (none, int8)");
                    if (!r.GetValue(onnx) && (r.GetValue(quantize) != "none" || r.GetValue(unsorted))) throw new ArgumentException("--quantize and --onnx-unsorted need --onnx");
                    if (r.GetValue(onnx) && (r.GetValue(padTo) > 0 || r.GetValue(group))) throw new ArgumentException("--onnx takes neither --pad-to nor --group-by-length");
                    if (r.GetValue(onnx)) runtime = r.GetValue(quantize) == "int8" ? "int8" : "float";
                }
                var o = new SpeedOptions(r.GetValue(config)!, lens, r.GetValue(batch), r.GetValue(steps), r.GetValue(warmup),
                    r.GetValue(threads), r.GetValue(padTo), r.GetValue(group), Profile: train && r.GetValue(profile), Onnx: runtime,
                    OnnxUnsorted: !train && r.GetValue(unsorted), Precision: Autocast.Resolve(r.GetValue(precision)!),
                    Objective: train ? r.GetValue(objective)! : "ft");
                Console.WriteLine(SpeedBench.Run(o, train).ToJsonString());
                return 0;
            }));
            bench.Subcommands.Add(cmd);
        }
        return bench;
    }

    public static Command CreateLengths()
    {
        var data = new Option<string>("--data") { Required = true, Description = "a data file (jsonl, csv, tsv, parquet) or text lines" };
        var model = new Option<string>("--model") { Required = true, Description = "a directory with tokenizer files" };
        var textColumn = new Option<string>("--text-column") { DefaultValueFactory = _ => "text" };
        var maxLength = new Option<int>("--max-length") { DefaultValueFactory = _ => 512 };
        var cmd = new Command("lengths", "Print each text's token length (special tokens included), one per line.") { data, model, textColumn, maxLength };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            string path = r.GetValue(data)!;
            var tok = TokenizerLoader.Load(r.GetValue(model)!);
            var texts = InputTexts.Read(path, r.GetValue(textColumn)!);
            using var stdout = new StreamWriter(Console.OpenStandardOutput());
            foreach (var (a, b) in texts) stdout.WriteLine(tok.Encode(a, b, maxLength: r.GetValue(maxLength)).Length);
            return 0;
        }));
        return cmd;
    }
}
