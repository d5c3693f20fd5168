namespace PhaseTune.Text;

/// <summary>RoBERTa's and XLM-R's special-token layout: `&lt;s&gt; A &lt;/s&gt;` and `&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;`,
/// every type id 0.</summary>
internal static class RobertaTemplate
{
    public static TokenEncoding Wrap(Pieces a, Pieces? b, int bosId, string bos, int eosId, string eos)
    {
        var e = new Pieces();
        void Append(Pieces p) { for (int i = 0; i < p.Count; i++) e.Add(p.Ids[i], p.Tokens[i], p.Offsets[i].Start, p.Offsets[i].End); }
        e.Add(bosId, bos, 0, 0);
        Append(a);
        e.Add(eosId, eos, 0, 0);
        if (b is not null)
        {
            e.Add(eosId, eos, 0, 0);
            Append(b);
            e.Add(eosId, eos, 0, 0);
        }
        return new TokenEncoding(e.Ids.ToArray(), new int[e.Count], e.Offsets.ToArray(), e.Tokens.ToArray());
    }
}
