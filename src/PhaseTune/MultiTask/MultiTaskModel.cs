using PhaseTune.Models;
using PhaseTune.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.MultiTask;

/// <summary>One shared sentence encoder, an optional shared Linear+Tanh layer, and a head per task: classes
/// (cross-entropy), one logit (binary pairs, BCE) or one score (regression). Bi-encoded pairs feed
/// [u, v, |u − v|] to their head (Sentence-BERT's classification input).</summary>
public sealed class MultiTaskModel : nn.Module
{
    readonly SentenceEncoder encoder;
    readonly Sequential? shared;
    readonly ModuleDict<Sequential> heads;
    readonly Dictionary<string, TaskConfig> _tasks;

    public MultiTaskModel(SentenceEncoder encoder, IReadOnlyList<(TaskConfig Task, int Outputs)> tasks, bool sharedLayer) : base(nameof(MultiTaskModel))
    {
        this.encoder = encoder;
        int h = encoder.Dimension;
        if (sharedLayer) shared = nn.Sequential(("dense", nn.Linear(h, h)), ("act", nn.Tanh()));
        heads = new ModuleDict<Sequential>();
        foreach (var (t, outputs) in tasks)
            heads.Add(t.Name, nn.Sequential(("dropout", new FastDropout(0.1)), ("out", nn.Linear(t.Encoding == "bi" && t.Kind != TaskKind.Single ? 3 * h : h, outputs))));
        _tasks = tasks.ToDictionary(t => t.Task.Name, t => t.Task);
        RegisterComponents();
    }

    public SentenceEncoder Encoder => encoder;

    Tensor Vector(TokenBatch t)
    {
        var v = encoder.forward(t.Ids, t.Mask, t.Types);
        return shared is null ? v : shared.forward(v);
    }

    /// <returns>(B, outputs) head outputs for a batch of task examples</returns>
    public Tensor Forward(string task, IReadOnlyList<Data.Example> batch, Text.ITokenizer tok, int maxLength)
    {
        var t = _tasks[task];
        Tensor input;
        if (t.Kind == TaskKind.Single || t.Encoding == "cross")
            input = Vector(TokenBatch.EncodePairs(tok, batch.Select(e => (e.Text, t.Kind == TaskKind.Single ? null : e.Text2)), maxLength));
        else
        {
            var u = Vector(TokenBatch.Encode(tok, batch.Select(e => e.Text), maxLength));
            var v = Vector(TokenBatch.Encode(tok, batch.Select(e => e.Text2 ?? ""), maxLength));
            input = cat([u, v, (u - v).abs()], 1);   // (B, 3h)
        }
        return heads[task].forward(input);
    }
}
