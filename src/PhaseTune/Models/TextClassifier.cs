using PhaseTune.Inference;
using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>A trained classifier: sentence encoder + head + labels (on disk: <c>ModelFiles.ClassifierDirectory</c>).
/// Safe to share across threads for prediction: calls take turns (libtorch already spreads each one over the cores).
/// Disposing it frees the encoder's and the head's tensors.</summary>
public sealed class TextClassifier(SentenceEncoder encoder, ClassificationHead head, ITokenizer tokenizer,
    IReadOnlyList<string> labels, int maxLength) : ITextClassifier
{
    readonly Lock _gate = new();

    public string HeadActivation => Head.Spec.Activation;
    public SentenceEncoder Encoder { get; } = encoder;
    public ClassificationHead Head { get; } = head;
    public ITokenizer Tokenizer { get; } = tokenizer;
    public IReadOnlyList<string> Labels { get; } = labels;
    public int MaxLength { get; } = maxLength;

    /// <summary>The matrix products' precision when predicting (<see cref="Autocast"/>); null: the caller's (a training
    /// run's dev scoring computes as the run does).</summary>
    public Precision? Precision { get; set; }

    /// <summary>Class probabilities (N, C) for texts (or pairs), in eval mode, batched by length.</summary>
    public float[][] PredictProba(IReadOnlyList<(string A, string? B)> texts) => PredictProba(texts, 64);

    public float[][] PredictProba(IReadOnlyList<(string A, string? B)> texts, int batchSize)
    {
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].A.Length + (texts[i].B?.Length ?? 0)).ToArray();
        var result = new float[texts.Count][];
        lock (_gate) { PredictInto(texts, order, result, batchSize); }
        return result;
    }

    void PredictInto(IReadOnlyList<(string A, string? B)> texts, int[] order, float[][] result, int batchSize)
    {
        Encoder.eval(); Head.eval();
        using var _ = no_grad();
        using var precision = Precision is { } p ? Autocast.Scope(p) : null;
        foreach (var chunk in order.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var t = TokenBatch.EncodePairs(Tokenizer, chunk.Select(i => texts[i]), MaxLength);
            var probs = Head.forward(Encoder.forward(t.Ids, t.Mask, t.Types)).softmax(1).contiguous().data<float>().ToArray();
            int c = Labels.Count;
            for (int r = 0; r < chunk.Length; r++) result[chunk[r]] = probs[(r * c)..((r + 1) * c)];
        }
    }

    public void Dispose()
    {
        Encoder.Dispose();
        Head.Dispose();
    }
}
