using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>word + position + token type embeddings → LayerNorm → dropout, <see cref="EncoderConfig.EmbeddingSize"/>
/// wide. DistilBERT's have no token type table (the types given are ignored).</summary>
public sealed class BertEmbeddings : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Embedding word_embeddings, position_embeddings;
    readonly Embedding? token_type_embeddings;
    readonly LayerNorm LayerNorm;
    readonly FastDropout dropout;
    readonly EncoderConfig _c;

    public BertEmbeddings(EncoderConfig c) : base(nameof(BertEmbeddings))
    {
        _c = c;
        word_embeddings = nn.Embedding(c.VocabSize, c.EmbeddingSize, padding_idx: c.PadTokenId);
        position_embeddings = nn.Embedding(c.MaxPositionEmbeddings, c.EmbeddingSize);
        token_type_embeddings = c.TypeVocabSize > 0 ? nn.Embedding(c.TypeVocabSize, c.EmbeddingSize) : null;
        LayerNorm = nn.LayerNorm([c.EmbeddingSize], c.LayerNormEps);
        dropout = new FastDropout(c.HiddenDropoutProb);
        RegisterComponents();
    }

    public Parameter WordEmbeddings => word_embeddings.weight!;

    /// <param name="ids">(B, T) token ids</param>
    /// <param name="types">(B, T) token type ids</param>
    public override Tensor forward(Tensor ids, Tensor types) => forward(ids, types, null);

    /// <returns>(B, T, E), or (N, E) for the real tokens when packed</returns>
    public Tensor forward(Tensor ids, Tensor types, Packing? packing)
    {
        var pos = PositionIds(ids);                                             // (B, T)
        if (packing is not null) (ids, pos, types) = (packing.ToPacked(ids), packing.ToPacked(pos), packing.ToPacked(types));   // (N,)
        var x = word_embeddings.forward(ids) + position_embeddings.forward(pos);
        if (token_type_embeddings is not null) x = x + token_type_embeddings.forward(types);
        return dropout.forward(LayerNorm.forward(x));
    }

    /// <summary>BERT counts 0..T-1; RoBERTa starts at pad_token_id + 1 and gives pads pad_token_id.</summary>
    Tensor PositionIds(Tensor ids)
    {
        long t = ids.shape[1];
        if (t > _c.MaxSequenceLength)
            throw new ArgumentException($"sequence length {t} exceeds the model's {_c.MaxSequenceLength} positions");
        if (!_c.IsRoberta) return arange(t, dtype: ScalarType.Int64, device: ids.device).unsqueeze(0).expand_as(ids);
        var nonPad = ids.ne(_c.PadTokenId).to_type(ScalarType.Int64);
        return nonPad.cumsum(1) * nonPad + _c.PadTokenId;
    }
}
