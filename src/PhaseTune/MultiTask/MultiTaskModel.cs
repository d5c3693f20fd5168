using PhaseTune.Models;
using PhaseTune.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.MultiTask;

/// <summary>One shared sentence encoder, an optional shared (Dropout →) Linear+Tanh layer, and a head per task: classes
/// (cross-entropy), one logit (binary pairs, BCE) or one score (regression). Pairs reach their head by the task's
/// encoding: cross-encoded once ("cross"), bi-encoded as [u, v, |u − v|] ("bi", Sentence-BERT's classification input)
/// or [u, v] ("concat", the CS224N report's vanilla model), or cross-encoded in both orders into a
/// <see cref="PairHead"/> ("ph", "dph", "dpha").</summary>
public sealed class MultiTaskModel : nn.Module
{
    readonly SentenceEncoder encoder;
    readonly Sequential? shared;
    readonly ModuleDict<nn.Module> heads;
    readonly Dictionary<string, TaskConfig> _tasks;

    public MultiTaskModel(SentenceEncoder encoder, IReadOnlyList<(TaskConfig Task, int Outputs)> tasks, MultiTaskConfig c) : base(nameof(MultiTaskModel))
    {
        this.encoder = encoder;
        int h = encoder.Dimension;
        if (c.SharedLayer)
            shared = c.SharedDropout > 0
                ? nn.Sequential(("dropout", new FastDropout(c.SharedDropout)), ("dense", nn.Linear(h, h)), ("act", nn.Tanh()))
                : nn.Sequential(("dense", nn.Linear(h, h)), ("act", nn.Tanh()));
        heads = new ModuleDict<nn.Module>();
        foreach (var (t, outputs) in tasks)
            heads.Add(t.Name, Encoding(t) switch
            {
                "ph" or "dph" or "dpha" => new PairHead(t.Encoding, h, outputs, c.HeadDropout, c.HeadActivation),
                var e => nn.Sequential(("dropout", new FastDropout(c.HeadDropout)), ("out", nn.Linear(e switch { "bi" => 3 * h, "concat" => 2 * h, _ => h }, outputs))),
            });
        _tasks = tasks.ToDictionary(t => t.Task.Name, t => t.Task);
        RegisterComponents();
    }

    public SentenceEncoder Encoder => encoder;

    /// <summary>A single-text task's encoding is always "cross" (one input).</summary>
    static string Encoding(TaskConfig t) => t.Kind == TaskKind.Single ? "cross" : t.Encoding;

    /// <returns>(B, h) pooled, through the shared layer when there is one</returns>
    public Tensor Vector(TokenBatch t)
    {
        var v = encoder.forward(t.Ids, t.Mask, t.Types);
        return shared is null ? v : shared.forward(v);
    }

    /// <returns>(B, outputs) head outputs for a batch of task examples</returns>
    public Tensor Forward(string task, IReadOnlyList<Data.Example> batch, ITokenizer tok, int maxLength)
    {
        var t = _tasks[task];
        switch (Encoding(t))
        {
            case "cross":
                return ((Sequential)heads[task]).forward(Vector(TokenBatch.EncodePairs(tok, batch.Select(e => (e.Text, t.Kind == TaskKind.Single ? null : e.Text2)), maxLength)));
            case "bi" or "concat":
                var u = Vector(TokenBatch.Encode(tok, batch.Select(e => e.Text), maxLength));      // (B, h)
                var v = Vector(TokenBatch.Encode(tok, batch.Select(e => e.Text2 ?? ""), maxLength));
                return ((Sequential)heads[task]).forward(t.Encoding == "bi" ? cat([u, v, (u - v).abs()], 1) : cat([u, v], 1));   // (B, 3h or 2h)
            default:
                // both orders in one encoder call: rows 0..B-1 are (a, b), rows B..2B-1 are (b, a)
                var both = Vector(TokenBatch.EncodePairs(tok, batch.Select(e => (e.Text, (string?)e.Text2)).Concat(batch.Select(e => (e.Text2!, (string?)e.Text))), maxLength));
                return ((PairHead)heads[task]).forward(both.narrow(0, 0, batch.Count), both.narrow(0, batch.Count, batch.Count));
        }
    }
}
