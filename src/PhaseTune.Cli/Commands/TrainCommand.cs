using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Augmentation;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Runs;
using PhaseTune.Training.Optimization;
using TorchSharp;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune train`: data + model + phases → DIR/model, DIR/metrics.json, DIR/log.jsonl.</summary>
public static class TrainCommand
{
    /// <summary>Options shared by train and ablate: data, model, and every phase's settings.</summary>
    public sealed class RunOptions
    {
        public readonly Option<string?> Data = new("--data") { Description = "directory with train/dev/test files" };
        public readonly Option<string?> Train = new("--train") { Description = "training file (jsonl, csv, tsv, parquet, optionally .gz)" };
        public readonly Option<string?> Dev = new("--dev") { Description = "dev file (default: a stratified 20 % of train)" };
        public readonly Option<string?> Test = new("--test") { Description = "test file" };
        public readonly Option<string> TextColumn = new("--text-column") { DefaultValueFactory = _ => "text", Description = "text column / JSON key" };
        public readonly Option<string> LabelColumn = new("--label-column") { DefaultValueFactory = _ => "label", Description = "label column / JSON key" };
        public readonly Option<string?> LabelLevels = new("--label-levels") { Description = "separator of hierarchical labels, e.g. /" };
        public readonly Option<int?> Limit = new("--limit") { Description = "use only the first N training examples (quick runs)" };
        public readonly Option<int?> Sample = new("--sample") { Description = "use a seeded, stratified sample of about N training examples" };
        public readonly Option<string> Model = new("--model") { Required = true, Description = "model directory, or scratch:tiny|mini|small|minilm" };
        public readonly Option<string?> Vocab = new("--vocab") { Description = "vocab.txt (or tokenizer directory) for scratch models" };
        public readonly Option<string?> Config = new("--config") { Description = "TOML or JSON config file (flags override it)" };
        public readonly Option<int?> Seed = new("--seed");
        public readonly Option<bool> Quiet = new("--quiet") { Description = "no progress output" };
        public readonly Option<int?> Threads = new("--threads") { Description = "torch CPU threads" };
        public readonly Option<int?> BatchSize = new("--batch-size");
        public readonly Option<bool> NoGroupByLength = new("--no-group-by-length") { Description = "plain shuffled DAE and contrastive batches (default: batches of similar lengths, less padding)" };
        public readonly Option<int?> MaxLength = new("--max-length");
        public readonly Option<string?> Pooling = new("--pooling") { Description = "cls|mean|max" };
        public readonly Option<int?> DaeEpochs = new("--dae-epochs");
        public readonly Option<int?> ClEpochs = new("--cl-epochs");
        public readonly Option<int?> FtEpochs = new("--ft-epochs") { Description = "maximum fine-tuning epochs" };
        public readonly Option<int?> JointEpochs = new("--joint-epochs");
        public readonly Option<int?> Patience = new("--patience");
        public readonly Option<int?> MinEpochs = new("--min-epochs") { Description = "fine-tuning epochs before early stopping may stop" };
        public readonly Option<double?> DeletionRatio = new("--deletion-ratio") { Description = "fraction of words deleted (DAE)" };
        public readonly Option<int?> ClAug = new("--cl-aug");
        public readonly Option<string?> Imbalance = new("--imbalance") { Description = "normal|extra|none" };
        public readonly Option<string?> ClProjection = new("--cl-projection") { Description = "none|linear" };
        public readonly Option<double?> LrDae = new("--lr-dae");
        public readonly Option<double?> LrCl = new("--lr-cl");
        public readonly Option<double?> LrFt = new("--lr-ft");
        public readonly Option<double?> LrHead = new("--lr-head");
        public readonly Option<double?> LrJoint = new("--lr-joint");
        public readonly Option<bool> UntieDecoder = new("--untie-decoder");
        public readonly Option<string?> HeadActivation = new("--head-activation") { Description = "relu|gelu|tanh|none" };
        public readonly Option<bool> FreezeEncoder = new("--freeze-encoder");
        public readonly Option<bool> ClassWeights = new("--class-weights");
        public readonly Option<string?> Metric = new("--metric") { Description = "accuracy|macro_f1 (early stopping)" };
        public readonly Option<string?> JointMode = new("--joint-mode") { Description = "sum|alternate" };
        public readonly Option<double?> Llrd = new("--llrd") { Description = "layer-wise learning-rate decay factor (fine-tuning)" };
        public readonly Option<double?> WarmupRatio = new("--warmup-ratio") { Description = "fine-tuning warmup fraction" };
        public readonly Option<string?> Schedule = new("--schedule") { Description = "linear|cosine|constant (fine-tuning)" };
        public readonly Option<string?> OptimizerKind = new("--optimizer") { Description = "adamw|sgd (fine-tuning)" };
        public readonly Option<double?> Momentum = new("--momentum") { Description = "SGD momentum" };

        public IEnumerable<Option> All => GetType().GetFields().Select(f => f.GetValue(this)).OfType<Option>();

        /// <summary>Defaults (scratch-adjusted for scratch models) ← config file ← flags.</summary>
        public TrainConfig Resolve(ParseResult r, string[]? phases)
        {
            var defaults = new TrainConfig();
            if (r.GetValue(Model)!.StartsWith("scratch:")) defaults = ScratchDefaults(defaults);
            var c = defaults;
            if (r.GetValue(Config) is string path)
            {
                var merged = JsonNode.Parse(defaults.ToJson())!.AsObject();
                ConfigFile.Merge(merged, ConfigFile.Read(path));
                try { c = merged.Deserialize<TrainConfig>(TrainConfig.Json)!; }
                catch (JsonException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
            }
            T Or<T>(Option<T?> o, T v) where T : struct => r.GetValue(o) ?? v;
            string Str(Option<string?> o, string v) => r.GetValue(o) ?? v;
            c = c with
            {
                Phases = phases ?? c.Phases,
                Seed = Or(Seed, c.Seed), Threads = Or(Threads, c.Threads), BatchSize = Or(BatchSize, c.BatchSize),
                MaxLength = Or(MaxLength, c.MaxLength), Pooling = Str(Pooling, c.Pooling),
                GroupByLength = c.GroupByLength && !r.GetValue(NoGroupByLength),
                LabelLevels = r.GetValue(LabelLevels) ?? c.LabelLevels,
                Dae = c.Dae with
                {
                    Epochs = Or(DaeEpochs, c.Dae.Epochs), Lr = Or(LrDae, c.Dae.Lr), DeletionRatio = Or(DeletionRatio, c.Dae.DeletionRatio),
                    TieDecoder = c.Dae.TieDecoder && !r.GetValue(UntieDecoder),
                },
                Cl = c.Cl with
                {
                    Epochs = Or(ClEpochs, c.Cl.Epochs), Lr = Or(LrCl, c.Cl.Lr), Aug = Or(ClAug, c.Cl.Aug),
                    Imbalance = r.GetValue(Imbalance) is string im ? ParseImbalance(im) : c.Cl.Imbalance,
                    Projection = Str(ClProjection, c.Cl.Projection),
                },
                Ft = c.Ft with
                {
                    MaxEpochs = Or(FtEpochs, c.Ft.MaxEpochs), Lr = Or(LrFt, c.Ft.Lr), LrHead = Or(LrHead, c.Ft.LrHead),
                    Patience = Or(Patience, c.Ft.Patience), MinEpochs = Or(MinEpochs, c.Ft.MinEpochs), HeadActivation = Str(HeadActivation, c.Ft.HeadActivation),
                    FreezeEncoder = c.Ft.FreezeEncoder || r.GetValue(FreezeEncoder), ClassWeights = c.Ft.ClassWeights || r.GetValue(ClassWeights),
                    Metric = Str(Metric, c.Ft.Metric), Llrd = r.GetValue(Llrd) ?? c.Ft.Llrd,
                    WarmupRatio = Or(WarmupRatio, c.Ft.WarmupRatio), Schedule = Str(Schedule, c.Ft.Schedule),
                    Optimizer = Str(OptimizerKind, c.Ft.Optimizer), Momentum = Or(Momentum, c.Ft.Momentum),
                },
                Joint = c.Joint with { Epochs = Or(JointEpochs, c.Joint.Epochs), Lr = Or(LrJoint, c.Joint.Lr), Mode = Str(JointMode, c.Joint.Mode) },
            };
            if (c.Ft.MinEpochs > c.Ft.MaxEpochs) c = c with { Ft = c.Ft with { MinEpochs = c.Ft.MaxEpochs } };
            return c.Validate(r.GetValue(Config) ?? "options");
        }

        public DataSplits LoadData(ParseResult r, TrainConfig c)
        {
            var data = DataSplits.Load(r.GetValue(Data), r.GetValue(Train), r.GetValue(Dev), r.GetValue(Test),
                new ColumnOptions(r.GetValue(TextColumn)!, r.GetValue(LabelColumn)!), c.Seed, c.LabelLevels);
            if (r.GetValue(Limit) is not null && r.GetValue(Sample) is not null) throw new ArgumentException("give --limit or --sample, not both");
            List<Example>? train = null;
            if (r.GetValue(Limit) is int n)
            {
                if (n < 2) throw new ArgumentException("--limit must be at least 2");
                train = data.Train.Take(n).ToList();
            }
            else if (r.GetValue(Sample) is int m)
            {
                if (m < 2) throw new ArgumentException("--sample must be at least 2");
                train = DataSplits.StratifiedSample(data.Train, m, Seeds.Mix(c.Seed, "sample"));
            }
            if (train is null) return data;
            var labels = LabelSet.FromTrain(train, c.LabelLevels);
            string hint = " (the cut training set lacks them; try --sample)";
            try
            {
                labels.CheckKnown(data.Dev, "dev");
                if (data.Test is not null) labels.CheckKnown(data.Test, "test");
            }
            catch (InvalidDataException e) { throw new InvalidDataException(e.Message + hint); }
            return data with { Train = train, Labels = labels };
        }
    }

    /// <summary>The paper's learning rates assume a pretrained encoder; a randomly initialised one needs larger steps.</summary>
    public static TrainConfig ScratchDefaults(TrainConfig c) => c with
    {
        Dae = c.Dae with { Lr = 5e-4 },
        Cl = c.Cl with { Lr = 1e-4 },
        Ft = c.Ft with { Lr = 1e-3 },
        Joint = c.Joint with { Lr = 3e-4 },
    };

    static ImbalanceMode ParseImbalance(string s) => s switch
    {
        "normal" => ImbalanceMode.Normal, "extra" => ImbalanceMode.Extra, "none" => ImbalanceMode.None,
        _ => throw new ArgumentException($"unknown --imbalance '{s}' (normal, extra, none)"),
    };

    public static Command Create()
    {
        var o = new RunOptions();
        var phases = new Option<string>("--phases") { DefaultValueFactory = _ => "dae,cl,ft", Description = "dae,cl,ft | joint,ft | cl,ft | dae,ft | ft" };
        var outDir = new Option<string>("--out") { Required = true, Description = "output directory" };
        var restart = new Option<bool>("--restart") { Description = "discard a checkpoint in --out instead of resuming" };
        var cmd = new Command("train", "Train a classifier with the 3-Phase method or a variant.") { phases, outDir, restart };
        foreach (var opt in o.All) cmd.Options.Add(opt);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var config = o.Resolve(r, r.GetValue(phases)!.Split(',', StringSplitOptions.TrimEntries));
            var data = o.LoadData(r, config);
            string dir = r.GetValue(outDir)!;
            if (r.GetValue(restart) && Directory.Exists(Path.Combine(dir, "checkpoint"))) Directory.Delete(Path.Combine(dir, "checkpoint"), true);
            torch.manual_seed(Seeds.Mix(config.Seed, "init"));
            var (model, tok, _) = ModelSource.Resolve(r.GetValue(o.Model)!, r.GetValue(o.Vocab));
            var result = ConsoleProgress.Run(r.GetValue(o.Quiet), obs =>
            {
                obs.Message($"train {data.Train.Count}, dev {data.Dev.Count}{(data.DevWasSplit ? " (20 % of train)" : "")}, test {data.Test?.Count ?? 0}, {data.Labels.Count} labels; phases {string.Join(",", config.Phases)}");
                return TrainRun.Run(model, tok, data, config, dir, obs);
            });
            var m = result.Test ?? result.Dev;
            Console.WriteLine($"{(result.Test is null ? "dev" : "test")}: accuracy {m.Accuracy:F4}  macro_f1 {m.MacroF1:F4}  " +
                $"macro_precision {m.MacroPrecision:F4}  macro_recall {m.MacroRecall:F4}  (n={m.Count})");
            Console.WriteLine("phase seconds: " + string.Join(", ", result.PhaseSeconds.Select(kv => $"{kv.Key} {kv.Value:F1}")));
            Console.WriteLine($"wrote {Path.Combine(dir, "model")}, {Path.Combine(dir, "metrics.json")}, {Path.Combine(dir, "log.jsonl")}");
            return 0;
        }));
        return cmd;
    }
}
