using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.Models;
using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Evaluation;

/// <summary>How well sentence embeddings cluster by label, in cosine distance (1 − cos): the mean silhouette (as
/// scikit-learn's silhouette_score with metric="cosine": a sample alone in its class scores 0) and the ratio of the
/// mean distance between two texts of one class to that between texts of different classes (below 1: classes are
/// tighter than the whole). The paper's claim that the contrastive phase clusters the classes, as two numbers.</summary>
public sealed record ClusterQuality(double Silhouette, double IntraInterRatio, int Count)
{
    /// <summary>Rows of the distance matrix computed at a time, so a large dev set needs O(N · Chunk) memory.</summary>
    const int Chunk = 1024;

    /// <param name="embeddings">(N, D), any norm</param> <param name="labels">N class indices</param>
    /// <returns>null with fewer than two classes (the ratio is NaN when no class has two members)</returns>
    public static ClusterQuality? Compute(Tensor embeddings, IReadOnlyList<int> labels)
    {
        int n = (int)embeddings.shape[0];
        if (labels.Count != n) throw new ArgumentException($"{labels.Count} labels for {n} embeddings");
        var classes = labels.Distinct().Order().ToArray();
        if (classes.Length < 2) return null;
        using var scope = NewDisposeScope();
        var e = nn.functional.normalize(embeddings.detach().to(float64), dim: 1);                     // (N, D)
        var column = classes.Select((c, k) => (c, k)).ToDictionary(x => x.c, x => x.k);
        var own = tensor(labels.Select(l => (long)column[l]).ToArray());                            // (N)
        var onehot = nn.functional.one_hot(own, classes.Length).to(float64);                        // (N, K)
        var counts = onehot.sum(dim: 0);                                                                // (K)
        double silhouette = 0, intra = 0, inter = 0;
        for (int start = 0; start < n; start += Chunk)
        {
            using var chunkScope = NewDisposeScope();   // the chunk's (R, N) matrices go before the next chunk's
            int len = Math.Min(Chunk, n - start);
            var dist = (1 - e.narrow(0, start, len).mm(e.t())).clamp_min(0);                         // (R, N)
            var self = dist.gather(1, arange(start, start + len, dtype: int64).unsqueeze(1)).squeeze(1);   // (R) ≈ 0
            var sums = dist.mm(onehot);                                                              // (R, K)
            var rowOwn = own.narrow(0, start, len);
            var ownSum = sums.gather(1, rowOwn.unsqueeze(1)).squeeze(1) - self;                      // (R)
            var ownCount = counts.index_select(0, rowOwn) - 1;                                       // (R)
            var a = ownSum / ownCount.clamp_min(1);
            var means = sums / counts;                                                               // (R, K)
            var b = means.masked_fill(onehot.narrow(0, start, len) > 0, double.PositiveInfinity).amin(1);   // (R): nearest other class
            var s = where(ownCount > 0, (b - a) / maximum(a, b).clamp_min(1e-12), zeros_like(a));
            silhouette += s.sum().item<double>();
            intra += ownSum.sum().item<double>();
            inter += (dist.sum(dim: 1) - self - ownSum).sum().item<double>();
        }
        double sq = counts.pow(2).sum().item<double>();
        double intraPairs = sq - n, interPairs = (double)n * n - sq;
        double ratio = intraPairs > 0 && interPairs > 0 ? (intra / intraPairs) / (inter / interPairs) : double.NaN;
        return new ClusterQuality(silhouette / n, ratio, n);
    }

    /// <summary>Embeds single-text examples with the encoder in eval mode (its pooling, projection and normalisation),
    /// in their order; null for text pairs, whose classes are not properties of one text.</summary>
    /// <returns>(N, D), in the caller's dispose scope</returns>
    public static Tensor? Embed(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> examples, int maxLength, int batchSize = 64)
    {
        if (examples.Count < 2 || examples.Any(x => x.Text2 is not null)) return null;
        bool training = encoder.training;
        encoder.eval();
        try
        {
            using var _ = no_grad();
            var order = Enumerable.Range(0, examples.Count).OrderBy(i => examples[i].Text.Length).ToArray();
            var rows = new Tensor[examples.Count];
            foreach (var chunk in order.Chunk(batchSize))
            {
                var b = TokenBatch.Encode(tok, chunk.Select(i => examples[i].Text), maxLength);
                var v = encoder.forward(b.Ids, b.Mask, b.Types);
                for (int r = 0; r < chunk.Length; r++) rows[chunk[r]] = v[r];
            }
            return stack(rows);
        }
        finally { encoder.train(training); }
    }

    public static ClusterQuality? FromJson(JsonNode? n) => n is null ? null : new ClusterQuality(n["silhouette_cosine"]?.GetValue<double>() ?? double.NaN,
        n["intra_inter_distance_ratio"]?.GetValue<double>() ?? double.NaN, n["count"]!.GetValue<int>());

    public JsonObject ToJson() => new()
    {
        ["silhouette_cosine"] = double.IsFinite(Silhouette) ? Math.Round(Silhouette, 6) : null,   // NaN from NaN weights
        ["intra_inter_distance_ratio"] = double.IsNaN(IntraInterRatio) ? null : Math.Round(IntraInterRatio, 6),
        ["count"] = Count,
    };
}
