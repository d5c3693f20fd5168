using PhaseTune.Models;

namespace PhaseTune.ModelFiles;

/// <summary>What a sentence-transformers checkpoint says about turning text into one vector beyond its weights: the
/// pooling (1_Pooling/config.json), an L2 Normalize module (modules.json) and the max_seq_length texts are cut to
/// (sentence_bert_config.json). Every command takes these as its defaults; flags override them.</summary>
public sealed record SentencePipeline(PoolingMode? Pooling, bool Normalize, int? MaxSeqLength)
{
    /// <summary>The pooling as config files name it ("mean"), or null when the checkpoint sets none.</summary>
    public string? PoolingName => Pooling?.ToString().ToLowerInvariant();
}
