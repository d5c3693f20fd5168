using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>Batched, no-grad sentence embeddings. Texts are batched by length (fewer pads) and returned in input order.</summary>
public sealed class Embedder(BertModel model, ITokenizer tokenizer, PoolingMode pooling, bool normalize = false)
{
    public float[][] Embed(IReadOnlyList<string> texts, int maxLength = 512, int batchSize = 32)
    {
        if (batchSize <= 0) throw new ArgumentException("batch size must be positive");
        maxLength = Math.Min(maxLength, model.Config.MaxSequenceLength);
        var encodings = texts.Select(t => tokenizer.Encode(t, maxLength: maxLength)).ToArray();
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => encodings[i].Length).ToArray();
        var result = new float[texts.Count][];
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            for (int start = 0; start < order.Length; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var idx = order.Skip(start).Take(batchSize).ToArray();
                var batch = Collator.Pad(idx.Select(i => encodings[i]).ToArray(), tokenizer.PadId);
                var (ids, mask, types) = TokenBatch.From(batch);
                var pooled = Pooling.Pool(model.Forward(ids, mask, types, skipPadding: true), mask, pooling, model);   // (B, C)
                if (normalize) pooled = nn.functional.normalize(pooled, p: 2, dim: 1);
                var flat = pooled.contiguous().data<float>().ToArray();
                int c = (int)pooled.shape[1];
                for (int r = 0; r < idx.Length; r++) result[idx[r]] = flat[(r * c)..((r + 1) * c)];
            }
        }
        finally { model.train(wasTraining); }
        return result;
    }
}
