using PhaseTune.Data;

namespace PhaseTune.Augmentation;

/// <summary>The paper's data augmentation for imbalanced classes, applied before pairing: with M the largest
/// class size, a class of n examples gets f(n) = ln(M/n)·max/ln(M); if f ≥ min it is replicated round(f) times.
/// Copies of texts with at least <c>minWords</c> words get stop-word deletion noise.</summary>
public static class ImbalanceCorrection
{
    public static (double Min, double Max) Ratios(ImbalanceMode mode) => mode switch
    {
        ImbalanceMode.Normal => (1.5, 4),
        ImbalanceMode.Extra => (1.5, 20),
        _ => (double.PositiveInfinity, 0),
    };

    /// <summary>How many times (1 = unchanged) a class of size n is present after correction.</summary>
    public static int Factor(int n, int largest, ImbalanceMode mode)
    {
        if (mode == ImbalanceMode.None || largest <= 1 || n <= 0) return 1;
        var (min, max) = Ratios(mode);
        double f = Math.Log((double)largest / n) * max / Math.Log(largest);
        return f >= min ? (int)Math.Round(f, MidpointRounding.AwayFromZero) : 1;
    }

    public static List<Example> Apply(IReadOnlyList<Example> train, ImbalanceMode mode, int minWords, Random rng)
    {
        var counts = train.GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Count());
        int largest = counts.Values.Max();
        var result = new List<Example>(train);
        foreach (var e in train)
        {
            int copies = Factor(counts[e.Label], largest, mode) - 1;
            for (int k = 0; k < copies; k++)
            {
                bool noisy = e.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= minWords;
                result.Add(noisy ? e with { Text = StopWords.DeleteStopWords(e.Text, rng) } : e);
            }
        }
        return result;
    }
}
