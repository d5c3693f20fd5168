using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>A trained classifier: sentence encoder + head + labels (on disk: <c>ModelFiles.ClassifierDirectory</c>).</summary>
public sealed class TextClassifier(SentenceEncoder encoder, ClassificationHead head, ITokenizer tokenizer,
    IReadOnlyList<string> labels, int maxLength, string headActivation)
{
    public string HeadActivation { get; } = headActivation;
    public SentenceEncoder Encoder { get; } = encoder;
    public ClassificationHead Head { get; } = head;
    public ITokenizer Tokenizer { get; } = tokenizer;
    public IReadOnlyList<string> Labels { get; } = labels;
    public int MaxLength { get; } = maxLength;

    /// <summary>Texts read ahead and batched by length at a time when predicting a stream.</summary>
    public const int Window = 4096;

    /// <summary>Each text of a stream with its class probabilities, in input order, <see cref="Window"/> texts at a time.</summary>
    public IEnumerable<((string A, string? B) Text, float[] Probabilities)> PredictStream(IEnumerable<(string A, string? B)> texts, int batchSize = 64)
    {
        foreach (var window in texts.Chunk(Window))
        {
            var probs = PredictProba(window, batchSize);
            for (int i = 0; i < window.Length; i++) yield return (window[i], probs[i]);
        }
    }

    /// <summary>Class probabilities (N, C) for texts (or pairs), in eval mode, batched by length.</summary>
    public float[][] PredictProba(IReadOnlyList<(string A, string? B)> texts, int batchSize = 64)
    {
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].A.Length + (texts[i].B?.Length ?? 0)).ToArray();
        var result = new float[texts.Count][];
        Encoder.eval(); Head.eval();
        using var _ = no_grad();
        foreach (var chunk in order.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var t = TokenBatch.EncodePairs(Tokenizer, chunk.Select(i => texts[i]), MaxLength);
            var probs = Head.forward(Encoder.forward(t.Ids, t.Mask, t.Types)).softmax(1).contiguous().data<float>().ToArray();
            int c = Labels.Count;
            for (int r = 0; r < chunk.Length; r++) result[chunk[r]] = probs[(r * c)..((r + 1) * c)];
        }
        return result;
    }

    public int[] Predict(IReadOnlyList<(string A, string? B)> texts) =>
        PredictProba(texts).Select(p => Array.IndexOf(p, p.Max())).ToArray();
}
