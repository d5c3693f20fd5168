using PhaseTune.Models;
using PhaseTune.Text;

namespace PhaseTune.ModelFiles;

/// <summary>An encoder loaded from disk with its tokenizer and, for sentence-transformers saves, its pooling.</summary>
public sealed record LoadedEncoder(BertModel Model, ITokenizer Tokenizer, PoolingMode? Pooling, bool Normalize, LoadReport Report)
{
    public PoolingMode PoolingOrDefault => Pooling ?? PoolingMode.Cls;
}
