using PhaseTune.Augmentation;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using PhaseTune.Training;
using PhaseTune.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>Embedding pre-training with a contrastive objective before a classifier: "simcse" (dropout views),
/// "simcse-sup" (same-label positive, other-label hard negative), "mnrl" (text pairs with the positive label, or
/// same-label texts), "supcon" (two dropout views, labels) and "simclr" (two noised dropout views, no labels).</summary>
public sealed class EmbeddingPretrainPhase : TrainingPhase
{
    public static readonly string[] Objectives = ["simcse", "simcse-sup", "mnrl", "supcon", "simclr"];
    public static bool NeedsLabels(string objective) => objective is "simcse-sup" or "mnrl" or "supcon";

    readonly SentenceEncoder _encoder;
    readonly ITokenizer _tok;
    readonly IReadOnlyList<Example> _data;
    readonly TrainConfig _c;
    readonly string _objective;
    readonly Dictionary<string, int[]> _byLabel;
    readonly Dictionary<string, long> _labelIndex;
    int[] _partner = [], _negative = [];
    string[][] _views = [];
    readonly TokenEncoding[] _encoded;

    public EmbeddingPretrainPhase(string objective, SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> data, TrainConfig c)
    {
        if (!Objectives.Contains(objective)) throw new ArgumentException($"unknown objective '{objective}' ({string.Join(", ", Objectives)})");
        _objective = objective; _encoder = encoder; _tok = tok; _c = c;
        // mnrl on pairs keeps the pairs labelled positive; on single texts, like simcse-sup, it pairs texts by label
        _data = objective == "mnrl" && data.Any(e => e.Text2 is not null)
            ? data.Where(e => e.Text2 is not null && e.Label == c.Pretrain.PositiveLabel).ToList()
            : data;
        if (_data.Count < 2) throw new InvalidDataException($"{objective}: fewer than two training examples");
        _encoded = _data.Select(e => tok.Encode(e.Text, maxLength: c.MaxLength)).ToArray();
        _byLabel = _data.Select((e, i) => (e.Label, i)).GroupBy(x => x.Label).ToDictionary(g => g.Key, g => g.Select(x => x.i).ToArray());
        _labelIndex = _byLabel.Keys.Select((l, i) => (l, (long)i)).ToDictionary(x => x.l, x => x.Item2);
        if (objective == "simcse-sup" && _byLabel.Count < 2) throw new InvalidDataException("simcse-sup needs at least two labels");
        StateParameters = Distinct(encoder.named_parameters().Select(p => ("encoder." + p.name, p.parameter)));
        Optimizer = Optimizer.Create("adamw", ParameterGroup.ForWeightDecay(objective, StateParameters, c.Pretrain.Lr, c.WeightDecay));
        int batch = c.Pretrain.BatchSize ?? c.BatchSize;
        Schedule = LrSchedule.Create("linear", c.Pretrain.WarmupRatio, (_data.Count + batch - 1) / batch * c.Pretrain.Epochs);
    }

    public override string Name => _objective;
    public override int MaxEpochs => _c.Pretrain.Epochs;

    public override int BeginEpoch(int epoch)
    {
        var rng = Seeds.For(_c.Seed, _objective + "-pairs", epoch);
        int Other(int i, bool sameLabel)
        {
            var pool = sameLabel ? _byLabel[_data[i].Label] : _byLabel.Where(kv => kv.Key != _data[i].Label).SelectMany(kv => kv.Value).ToArray();
            if (pool.Length == 0 || (sameLabel && pool.Length == 1)) return i;
            int j;
            do j = pool[rng.Next(pool.Length)]; while (sameLabel && j == i);
            return j;
        }
        _partner = Enumerable.Range(0, _data.Count).Select(i => Other(i, true)).ToArray();
        _negative = _objective == "simcse-sup" ? Enumerable.Range(0, _data.Count).Select(i => Other(i, false)).ToArray() : [];
        if (_objective == "simclr")
        {
            var noise = Seeds.For(_c.Seed, "simclr-noise", epoch);
            _views = _data.Select(e => new[] { DeletionNoise.Apply(e.Text, _c.Pretrain.NoiseRatio, noise), DeletionNoise.Apply(e.Text, _c.Pretrain.NoiseRatio, noise) }).ToArray();
        }
        EpochBatches = BatchOrder.Shuffled(_data.Count, _c.Pretrain.BatchSize ?? _c.BatchSize, Seeds.For(_c.Seed, _objective + "-order", epoch));
        return EpochBatches.Length;
    }

    /// <summary>The examples' own texts, tokenised once in the constructor.</summary>
    TokenBatch Rows(IEnumerable<int> rows) => TokenBatch.Collate(_tok, rows.Select(i => _encoded[i]));
    Tensor Encode(TokenBatch t) => _encoder.forward(t.Ids, t.Mask, t.Types);   // (B, C)
    Tensor Encode(IEnumerable<string> texts) => Encode(TokenBatch.Encode(_tok, texts, _c.MaxLength));

    public override Tensor Loss(int index)
    {
        var idx = EpochBatches[index];
        double tau = _c.Pretrain.Temperature;
        switch (_objective)
        {
            case "simcse":
                var rows = Rows(idx);   // two passes over the same tokens: the views differ by dropout only
                return new SimCseLoss(tau).Forward(new RankingBatch(Encode(rows), Encode(rows)));
            case "simcse-sup":
                return new SimCseLoss(tau).Forward(new RankingBatch(Encode(Rows(idx)),
                    Encode(Rows(idx.Select(i => _partner[i]))), Encode(Rows(idx.Select(i => _negative[i])))));
            case "mnrl":
                var positives = idx.Select(i => _data[i].Text2 ?? _data[_partner[i]].Text);
                return new MultipleNegativesRankingLoss(_c.Pretrain.Scale).Forward(new RankingBatch(Encode(Rows(idx)), Encode(positives)));
            case "supcon":
                var labels = tensor(idx.Select(i => _labelIndex[_data[i].Label]).ToArray());
                var same = Rows(idx);
                return new SupConLoss(tau).Forward(new ViewsBatch(stack([Encode(same), Encode(same)], 1), labels));
            default:
                var views = stack([Encode(idx.Select(i => _views[i][0])), Encode(idx.Select(i => _views[i][1]))], 1);   // (B, 2, C)
                return new NtXentLoss(tau).Forward(new ViewsBatch(views, null));
        }
    }

    public override void SetTraining(bool training) => _encoder.train(training);
}
