namespace PhaseTune.Text;

/// <summary>A HF-compatible tokenizer: text (or a pair) to the ids a checkpoint was trained on.</summary>
public interface ITokenizer
{
    int VocabSize { get; }
    int PadId { get; }
    int ClsId { get; }
    int SepId { get; }
    int MaskId { get; }
    int UnkId { get; }

    /// <summary>Splits one segment into vocabulary pieces, no special tokens.</summary>
    Pieces Tokenize(string text);

    /// <summary>Number of special tokens a single text (false) or a pair (true) adds.</summary>
    int SpecialTokenCount(bool pair);

    /// <summary>Wraps pieces in the model's special tokens: BERT `[CLS] a [SEP] b [SEP]`, RoBERTa `&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b &lt;/s&gt;`.</summary>
    TokenEncoding AddSpecialTokens(Pieces a, Pieces? b);

    string IdToToken(int id);
    int? TokenToId(string token);

    /// <summary>Writes the tokenizer's files into a HF model directory.</summary>
    void Save(string directory);
}
