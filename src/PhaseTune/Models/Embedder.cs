using PhaseTune.Inference;
using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>Batched, no-grad sentence embeddings, in input order; texts are batched by length (fewer pads). Safe to
/// share across threads: calls take turns (libtorch already spreads each one over the cores). It owns the model:
/// disposing it frees the model's tensors.</summary>
public sealed class Embedder(BertModel model, ITokenizer tokenizer, PoolingMode pooling, bool normalize = false) : ITextEmbedder, IDisposable
{
    readonly Lock _gate = new();

    /// <summary>The matrix products' precision (<see cref="Autocast"/>).</summary>
    public Precision Precision { get; init; }

    /// <summary>Floats per vector: the encoder's hidden size (every pooling keeps it).</summary>
    public int Dimension => model.Config.HiddenSize;

    /// <summary>All texts at once, up to 512 tokens each (or the model's maximum), batches of 32.</summary>
    float[][] ITextEmbedder.Embed(IReadOnlyList<string> texts) => Embed(texts);

    /// <summary>How many texts are read ahead and sorted by length before they are embedded.</summary>
    public const int Window = 4096;

    /// <summary>All texts at once, batched by length across the whole list.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, int maxLength = 512, int batchSize = 32) =>
        EmbedBatch(texts, Check(maxLength, batchSize), batchSize);

    /// <summary>Texts as they come, each with its vector, <see cref="Window"/> at a time: memory stays flat however
    /// long the stream.</summary>
    public IEnumerable<(string Text, float[] Vector)> Stream(IEnumerable<string> texts, int maxLength = 512, int batchSize = 32)
    {
        maxLength = Check(maxLength, batchSize);
        foreach (var window in texts.Chunk(Window))
        {
            var vectors = EmbedBatch(window, maxLength, batchSize);
            for (int i = 0; i < window.Length; i++) yield return (window[i], vectors[i]);
        }
    }

    int Check(int maxLength, int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentException("batch size must be positive");
        return Math.Min(maxLength, model.Config.MaxSequenceLength);
    }

    float[][] EmbedBatch(IReadOnlyList<string> texts, int maxLength, int batchSize)
    {
        var encodings = texts.Select(t => tokenizer.Encode(t, maxLength: maxLength)).ToArray();
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => encodings[i].Length).ToArray();
        var result = new float[texts.Count][];
        lock (_gate) { EmbedInto(encodings, order, result, batchSize); }
        return result;
    }

    void EmbedInto(TokenEncoding[] encodings, int[] order, float[][] result, int batchSize)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var precision = Autocast.Scope(Precision);
            for (int start = 0; start < order.Length; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var idx = order.Skip(start).Take(batchSize).ToArray();
                var (ids, mask, types) = TokenBatch.From(Collator.Pad(idx.Select(i => encodings[i]).ToArray(), tokenizer.PadId));
                var pooled = Pooling.Pool(model.Forward(ids, mask, types, skipPadding: true), mask, pooling, model);   // (B, C)
                if (normalize) pooled = nn.functional.normalize(pooled, p: 2, dim: 1);
                var flat = pooled.contiguous().data<float>().ToArray();
                int c = (int)pooled.shape[1];
                for (int r = 0; r < idx.Length; r++) result[idx[r]] = flat[(r * c)..((r + 1) * c)];
            }
        }
        finally { model.train(wasTraining); }
    }

    public void Dispose() => model.Dispose();
}
