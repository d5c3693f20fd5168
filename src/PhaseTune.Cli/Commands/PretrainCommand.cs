using System.CommandLine;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Runs;
using PhaseTune.Training;
using TorchSharp;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune pretrain`: adapt an encoder with one unsupervised or contrastive objective and save it
/// (HF layout with pooling) for `train --model DIR/model` or `embed`.</summary>
public static class PretrainCommand
{
    public static Command Create()
    {
        var o = new TrainCommand.RunOptions();
        var objective = new Option<string>("--objective") { Required = true, Description = "dae|" + string.Join("|", EmbeddingPretrainPhase.Objectives) };
        var outDir = new Option<string>("--out") { Required = true, Description = "output directory" };
        var epochs = new Option<int?>("--epochs");
        var lr = new Option<double?>("--lr");
        var temperature = new Option<double?>("--temperature");
        var positiveLabel = new Option<string?>("--positive-label") { Description = "label of positive pairs for mnrl on pair data (default 1)" };
        var cmd = new Command("pretrain", "Train sentence embeddings with DAE, SimCSE, MNRL, SupCon or SimCLR.")
            { objective, outDir, epochs, lr, temperature, positiveLabel };
        foreach (var opt in o.All) cmd.Options.Add(opt);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            string obj = r.GetValue(objective)!;
            if (obj != "dae" && !EmbeddingPretrainPhase.Objectives.Contains(obj))
                throw new ArgumentException($"unknown --objective '{obj}' (dae, {string.Join(", ", EmbeddingPretrainPhase.Objectives)})");
            var c = o.Resolve(r, [obj, "ft"]);
            c = c with
            {
                Dae = c.Dae with { Epochs = r.GetValue(epochs) ?? c.Dae.Epochs, Lr = r.GetValue(lr) ?? c.Dae.Lr },
                Pretrain = c.Pretrain with
                {
                    Objective = obj, Epochs = r.GetValue(epochs) ?? c.Pretrain.Epochs, Lr = r.GetValue(lr) ?? c.Pretrain.Lr,
                    TemperatureOverride = r.GetValue(temperature) ?? c.Pretrain.TemperatureOverride,
                    PositiveLabel = r.GetValue(positiveLabel) ?? c.Pretrain.PositiveLabel,
                },
            };
            DataSplits data;
            if (obj != "dae" && EmbeddingPretrainPhase.NeedsLabels(obj)) data = o.LoadData(r, c);
            else
            {
                string source = r.GetValue(o.Train) ?? (r.GetValue(o.Data) is string d ? DataSplits.FindTrain(d) : throw new ArgumentException("give --data DIR or --train FILE"));
                var texts = DatasetReader.ReadUnlabelled(source, new ColumnOptions(r.GetValue(o.TextColumn)!));
                if (r.GetValue(o.Limit) is int n) texts = texts.Take(n).ToList();
                data = new DataSplits(texts, [], null, LabelSet.FromTrain(texts, null), false);
            }
            string dir = r.GetValue(outDir)!;
            torch.manual_seed(Seeds.Mix(c.Seed, "init"));
            var (model, tok, _) = ModelSource.Resolve(r.GetValue(o.Model)!, r.GetValue(o.Vocab));
            var encoder = new SentenceEncoder(model, Pooling.Parse(c.Pooling));
            var seconds = new Dictionary<string, double>();
            ConsoleProgress.Run(r.GetValue(o.Quiet), obs =>
            {
                var trainer = new Trainer(dir, c, obs);
                TrainRun.RunPhases(encoder, tok, data, c, trainer, 0, 1, seconds);
                ModelDirectory.Save(model, tok, Path.Combine(dir, "model"), encoder.Pooling);
                trainer.Complete();
                return 0;
            });
            Console.WriteLine($"{obj}: {data.Train.Count} examples in {seconds[obj]:F1}s; wrote {Path.Combine(dir, "model")} and {Path.Combine(dir, "log.jsonl")}");
            return 0;
        }));
        return cmd;
    }
}
