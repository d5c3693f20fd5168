using System.Globalization;
using System.Text;
using PhaseTune.IO;
using static TorchSharp.torch;

namespace PhaseTune.Evaluation;

/// <summary>A 2-D map of sentence embeddings: their first two principal components (PCA by SVD of the centred
/// matrix; each axis's sign fixed so its largest loading is positive, so a map is reproducible), written as CSV
/// (x, y, label) for plotting.</summary>
public static class EmbeddingMap
{
    /// <param name="embeddings">(N, D), N ≥ 2</param> <returns>N points</returns>
    public static (double X, double Y)[] Pca2(Tensor embeddings)
    {
        using var scope = NewDisposeScope();
        var x = embeddings.detach().to(float64);
        x = x - x.mean([0], keepdim: true);
        var (_, _, vh) = linalg.svd(x, fullMatrices: false);                                   // vh: (min(N, D), D)
        var axes = vh.narrow(0, 0, Math.Min(2, (int)vh.shape[0]));                               // (≤2, D)
        var largest = axes.abs().argmax(1, keepdim: true);
        var sign = axes.gather(1, largest).sign();
        axes = axes * where(sign == 0, ones_like(sign), sign);
        var points = x.mm(axes.t());                                                            // (N, ≤2)
        var flat = points.contiguous().data<double>().ToArray();
        int k = (int)points.shape[1];
        return Enumerable.Range(0, (int)points.shape[0]).Select(i => (flat[i * k], k > 1 ? flat[i * k + 1] : 0.0)).ToArray();
    }

    /// <summary>A label's line breaks become spaces, so every point is one line.</summary>
    public static void Write(string path, IReadOnlyList<(double X, double Y)> points, IReadOnlyList<string> labels)
    {
        if (points.Count != labels.Count) throw new ArgumentException($"{points.Count} points for {labels.Count} labels");
        var sb = new StringBuilder("x,y,label\n");
        for (int i = 0; i < points.Count; i++)
            sb.Append(points[i].X.ToString("R", CultureInfo.InvariantCulture)).Append(',')
              .Append(points[i].Y.ToString("R", CultureInfo.InvariantCulture)).Append(',')
              .Append('"').Append(labels[i].Replace("\"", "\"\"").ReplaceLineEndings(" ")).Append("\"\n");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    public static List<(double X, double Y, string Label)> Read(string path)
    {
        var rows = new List<(double, double, string)>();
        foreach (var (line, i) in File.ReadLines(path).Select((l, i) => (l, i)).Skip(1))
        {
            int a = line.IndexOf(','), b = line.IndexOf(',', a + 1);
            if (a < 0 || b < 0 || line.Length < b + 3 || line[b + 1] != '"' || line[^1] != '"')
                throw new InvalidDataException($"{path}:{i + 1}: expected x,y,\"label\"");
            if (!double.TryParse(line[..a], NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ||
                !double.TryParse(line[(a + 1)..b], NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
                throw new InvalidDataException($"{path}:{i + 1}: x and y must be numbers");
            rows.Add((x, y, line[(b + 2)..^1].Replace("\"\"", "\"")));
        }
        return rows;
    }
}
