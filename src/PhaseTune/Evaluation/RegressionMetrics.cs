using System.Text.Json.Nodes;

namespace PhaseTune.Evaluation;

/// <summary>Pearson and Spearman correlation (ranks averaged over ties) and MSE of predicted scores.</summary>
public sealed record RegressionMetrics(double Pearson, double Spearman, double Mse, int Count)
{
    public static RegressionMetrics Compute(IReadOnlyList<double> gold, IReadOnlyList<double> predicted)
    {
        if (gold.Count != predicted.Count || gold.Count < 2) throw new ArgumentException("need at least two aligned scores");
        double mse = gold.Zip(predicted, (g, p) => (g - p) * (g - p)).Average();
        return new RegressionMetrics(Correlation(gold, predicted), Correlation(Ranks(gold), Ranks(predicted)), mse, gold.Count);
    }

    public static double Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
    }

    static double[] Ranks(IReadOnlyList<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]]) j++;
            for (int k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        return ranks;
    }

    public JsonObject ToJson() => new() { ["count"] = Count, ["pearson"] = Pearson, ["spearman"] = Spearman, ["mse"] = Mse };
}
