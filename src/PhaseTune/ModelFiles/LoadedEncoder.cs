using PhaseTune.Models;
using PhaseTune.Text;

namespace PhaseTune.ModelFiles;

/// <summary>An encoder loaded from disk with its tokenizer and, for sentence-transformers saves, the rest of its
/// pipeline: pooling, Normalize and the max_seq_length texts are cut to.</summary>
public sealed record LoadedEncoder(BertModel Model, ITokenizer Tokenizer, PoolingMode? Pooling, bool Normalize, int? MaxSeqLength, LoadReport Report)
{
    public PoolingMode PoolingOrDefault => Pooling ?? PoolingMode.Cls;
}
