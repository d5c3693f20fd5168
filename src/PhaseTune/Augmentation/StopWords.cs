namespace PhaseTune.Augmentation;

/// <summary>An English stop-word list (function words: articles, pronouns, auxiliaries, prepositions,
/// conjunctions, common adverbs) used by the imbalance correction's noise.</summary>
public static class StopWords
{
    public static readonly IReadOnlySet<string> English = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every", "either", "neither",
        "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "you", "your", "yours",
        "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its",
        "itself", "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "whose",
        "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does",
        "did", "doing", "will", "would", "shall", "should", "can", "could", "may", "might", "must",
        "of", "at", "by", "for", "with", "about", "against", "between", "into", "through", "during", "before",
        "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under",
        "and", "but", "or", "nor", "so", "yet", "if", "because", "as", "until", "while", "than", "then",
        "once", "here", "there", "when", "where", "why", "how", "all", "both", "few", "more", "most", "other",
        "such", "only", "own", "same", "too", "very", "just", "also", "again", "further", "now", "not", "no",
    };

    /// <summary>Deletes each stop-word with probability <paramref name="p"/>; other words always stay, and
    /// at least one word is kept.</summary>
    public static string DeleteStopWords(string text, Random rng, double p = 0.5)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var kept = words.Where(w => !(English.Contains(w.Trim(Punctuation)) && rng.NextDouble() < p)).ToList();
        if (kept.Count == 0) kept.Add(words[rng.Next(words.Length)]);
        return string.Join(' ', kept);
    }

    static readonly char[] Punctuation = ".,;:!?\"'()[]{}".ToCharArray();
}
