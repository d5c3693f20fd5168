using PhaseTune.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Evaluation;

public class ClusterQualityTests
{
    /// <summary>Silhouette and distance ratio written out from their definitions, pair by pair.</summary>
    static (double Silhouette, double Ratio) ByDefinition(double[][] x, int[] labels)
    {
        double Cos(double[] a, double[] b) => 1 - a.Zip(b, (p, q) => p * q).Sum() / Math.Sqrt(a.Sum(v => v * v) * b.Sum(v => v * v));
        int n = x.Length;
        double total = 0, intra = 0, inter = 0;
        int intraPairs = 0, interPairs = 0;
        for (int i = 0; i < n; i++)
        {
            var own = Enumerable.Range(0, n).Where(j => j != i && labels[j] == labels[i]).ToList();
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                if (labels[j] == labels[i]) { intra += Cos(x[i], x[j]); intraPairs++; }
                else { inter += Cos(x[i], x[j]); interPairs++; }
            }
            if (own.Count == 0) continue;   // alone in its class: 0
            double a = own.Average(j => Cos(x[i], x[j]));
            double b = labels.Distinct().Where(l => l != labels[i])
                .Min(l => Enumerable.Range(0, n).Where(j => labels[j] == l).Average(j => Cos(x[i], x[j])));
            total += (b - a) / Math.Max(a, b);
        }
        return (total / n, (intra / intraPairs) / (inter / interPairs));
    }

    [Fact]
    public void SilhouetteAndRatioEqualTheirDefinitionsOnAHandMadeExample()
    {
        // three classes in 2-D, one of them a single point, one point closer to another class than to its own
        double[][] x = [[1, 0.1], [0.9, 0.3], [1, -0.2], [0.2, 1], [0.1, 0.8], [0.95, 0.5], [-1, 0.2]];
        int[] labels = [0, 0, 0, 1, 1, 1, 2];
        var q = ClusterQuality.Compute(tensor(x.SelectMany(r => r.Select(v => (float)v)).ToArray(), [x.Length, 2]), labels)!;
        var (s, ratio) = ByDefinition(x, labels);
        Assert.Equal(s, q.Silhouette, 5);
        Assert.Equal(ratio, q.IntraInterRatio, 5);
        Assert.Equal(7, q.Count);
        Assert.True(s is > 0 and < 1);
    }

    [Fact]
    public void SeparatedClassesScoreNearOneAndShuffledLabelsNearZero()
    {
        var rng = new Random(5);
        var centres = new[] { new[] { 1.0, 0, 0 }, new[] { 0, 1.0, 0 }, new[] { 0, 0, 1.0 } };
        var labels = Enumerable.Range(0, 90).Select(i => i % 3).ToArray();
        var x = labels.Select(l => centres[l].Select(c => (float)(c + 0.01 * (rng.NextDouble() - 0.5))).ToArray()).ToArray();
        var t = tensor(x.SelectMany(r => r).ToArray(), [90, 3]);
        var tight = ClusterQuality.Compute(t, labels)!;
        Assert.True(tight.Silhouette > 0.95 && tight.IntraInterRatio < 0.05, $"{tight}");
        var shuffled = ClusterQuality.Compute(t, labels.OrderBy(_ => rng.Next()).ToArray())!;
        Assert.True(Math.Abs(shuffled.Silhouette) < 0.2 && shuffled.IntraInterRatio > 0.8, $"{shuffled}");
        Assert.Null(ClusterQuality.Compute(t, new int[90]));   // one class: nothing to compare
    }

    [Fact]
    public void MoreRowsThanOneChunkStillEqualTheDefinition()
    {
        var rng = new Random(9);
        int n = 1100;   // over ClusterQuality's 1,024-row chunks
        var labels = Enumerable.Range(0, n).Select(i => i % 4).ToArray();
        var x = labels.Select(l => new[] { l + rng.NextDouble(), 2 * rng.NextDouble() - 1, rng.NextDouble() }).ToArray();
        var q = ClusterQuality.Compute(tensor(x.SelectMany(r => r.Select(v => (float)v)).ToArray(), [n, 3]), labels)!;
        var (s, ratio) = ByDefinition(x, labels);
        Assert.Equal(s, q.Silhouette, 4);
        Assert.Equal(ratio, q.IntraInterRatio, 4);
    }

    [Fact]
    public void MapsAreReproducibleAndRoundTripThroughTheirCsv()
    {
        var rng = new Random(2);
        var data = Enumerable.Range(0, 40).Select(i => new[] { 3.0 * rng.NextDouble(), rng.NextDouble(), 0.1 * rng.NextDouble(), i % 2 }).ToArray();
        var t = tensor(data.SelectMany(r => r.Select(v => (float)v)).ToArray(), [40, 4]);
        var map = EmbeddingMap.Pca2(t);
        // a component's sign is arbitrary in an SVD; the map fixes it, so negating the data mirrors the map exactly
        var mirrored = EmbeddingMap.Pca2(-t);
        for (int i = 0; i < map.Length; i++)
        {
            Assert.Equal(-map[i].X, mirrored[i].X, 4);
            Assert.Equal(-map[i].Y, mirrored[i].Y, 4);
        }
        // the first axis carries the most variance
        double Var(IEnumerable<double> v) { var a = v.ToArray(); double m = a.Average(); return a.Average(z => (z - m) * (z - m)); }
        Assert.True(Var(map.Select(p => p.X)) > Var(map.Select(p => p.Y)));

        string path = Path.Combine(Paths.TempDir(), "map.csv");
        string[] labels = [.. Enumerable.Range(0, 38).Select(i => $"label {i % 3}"), "a, \"quoted\" one", "two\nlines"];
        EmbeddingMap.Write(path, map, labels);
        var back = EmbeddingMap.Read(path);
        Assert.Equal(labels.Select(l => l.Replace("\n", " ")), back.Select(p => p.Label));
        Assert.Equal(map.Select(p => (p.X, p.Y)), back.Select(p => (p.X, p.Y)));
        File.AppendAllText(path, "1.0,oops,\"x\"\n");
        Assert.Contains("map.csv:42: x and y must be numbers", Assert.Throws<InvalidDataException>(() => EmbeddingMap.Read(path)).Message);
    }
}
