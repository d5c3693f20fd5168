using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>HF's fill-mask pipeline: for each mask token in a text, the top-k tokens by softmax probability of the
/// encoder's masked-LM head.</summary>
public sealed class MaskFiller
{
    readonly BertModel _model;
    readonly ITokenizer _tok;
    readonly nn.Module<Tensor, Tensor> _head;

    public MaskFiller(BertModel model, ITokenizer tok)
    {
        if (model.MaskedLmHead is null) throw new InvalidOperationException("the model has no masked-LM head (cls.predictions.* or lm_head.*) to fill masks with");
        _model = model; _tok = tok;
        _head = MaskedLmHead.For(model, () => model.Embeddings.WordEmbeddings);
    }

    public string MaskToken => _tok.IdToToken(_tok.MaskId);

    /// <returns>per mask of the text, in order: the top-k (token id, token, probability)</returns>
    public List<(int Id, string Token, float Score)[]> Fill(string text, int topK = 5, int maxLength = 512)
    {
        var e = _tok.Encode(text, maxLength: Math.Min(maxLength, _model.Config.MaxSequenceLength));
        var masks = Enumerable.Range(0, e.Length).Where(i => e.Ids[i] == _tok.MaskId).ToArray();
        if (masks.Length == 0) throw new ArgumentException($"no {MaskToken} in the text");
        _model.eval(); _head.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var t = TokenBatch.Collate(_tok, [e]);
        var hidden = _model.forward(t.Ids, t.Mask, t.Types)[0];                                 // (T, C)
        var probs = Autocast.Float(_head.forward(hidden.index_select(0, tensor(masks.Select(i => (long)i).ToArray())))).softmax(-1);   // (M, V)
        var (values, ids) = probs.topk(Math.Min(topK, (int)probs.shape[1]), dim: -1);
        return Enumerable.Range(0, masks.Length).Select(m =>
        {
            var v = values[m].data<float>().ToArray();
            var k = ids[m].data<long>().ToArray();
            return k.Select((id, j) => ((int)id, _tok.IdToToken((int)id), v[j])).ToArray();
        }).ToList();
    }
}
