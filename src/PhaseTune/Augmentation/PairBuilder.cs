using PhaseTune.Data;

namespace PhaseTune.Augmentation;

/// <summary>Builds the contrastive phase's pairs as the paper's code does: zip the training set with
/// aug·⌊log2 C⌋ shuffled copies of itself, keep unique unordered pairs of different texts, then balance the
/// target values by capping each at the rarest's count.</summary>
public static class PairBuilder
{
    /// <summary>aug·⌊log2 C⌋ shuffled copies, or aug alone from 100 classes on, as the authors' code does (CLINC-150
    /// would otherwise get 7× the pairs).</summary>
    public static int Copies(int aug, int classes) =>
        Math.Max(1, classes >= 100 ? aug : aug * (int)Math.Floor(Math.Log2(Math.Max(classes, 2))));

    /// <summary>1 for the same label, 0 otherwise; hierarchical labels give the fraction of matching leading levels.</summary>
    public static float Target(string a, string b, LabelSet labels)
    {
        var la = labels.Levels(a);
        var lb = labels.Levels(b);
        int depth = Math.Max(la.Length, lb.Length), same = 0;
        while (same < Math.Min(la.Length, lb.Length) && la[same] == lb[same]) same++;
        return (float)same / depth;
    }

    public static List<TextPair> Build(IReadOnlyList<Example> examples, LabelSet labels, int aug, Random rng)
    {
        int copies = Copies(aug, labels.Count);
        var seen = new HashSet<(string, string)>();
        var pairs = new List<TextPair>();
        var perm = Enumerable.Range(0, examples.Count).ToArray();
        for (int k = 0; k < copies; k++)
        {
            rng.Shuffle(perm);
            for (int i = 0; i < examples.Count; i++)
            {
                var (a, b) = (examples[i], examples[perm[i]]);
                if (a.Text == b.Text) continue;
                var key = string.CompareOrdinal(a.Text, b.Text) < 0 ? (a.Text, b.Text) : (b.Text, a.Text);
                if (seen.Add(key)) pairs.Add(new TextPair(a.Text, b.Text, Target(a.Label, b.Label, labels)));
            }
        }
        return Balance(pairs, rng);
    }

    static List<TextPair> Balance(List<TextPair> pairs, Random rng)
    {
        var groups = pairs.GroupBy(p => p.Target).ToList();
        if (groups.Count == 0) return pairs;
        int cap = groups.Min(g => g.Count());
        var result = new List<TextPair>();
        foreach (var g in groups.OrderBy(g => g.Key))
        {
            var items = g.ToArray();
            rng.Shuffle(items);
            result.AddRange(items.Take(cap));
        }
        var arr = result.ToArray();
        rng.Shuffle(arr);
        return arr.ToList();
    }
}
