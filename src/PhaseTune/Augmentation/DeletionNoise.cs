namespace PhaseTune.Augmentation;

/// <summary>TSDAE's input noise (Wang et al. 2021): each word is deleted with probability <c>ratio</c>
/// (the paper's "deleting ratio", default 0.6), keeping at least one word.</summary>
public static class DeletionNoise
{
    public static string Apply(string text, double ratio, Random rng)
    {
        if (ratio is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(ratio), $"deletion ratio must be in [0, 1), got {ratio}");
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return text;
        var kept = words.Where(_ => rng.NextDouble() >= ratio).ToList();
        if (kept.Count == 0) kept.Add(words[rng.Next(words.Length)]);
        return string.Join(' ', kept);
    }
}
