using SkiaSharp;
using Xunit;

namespace PhaseTune.Tests;

public static class PlotAssert
{
    /// <summary>The file decodes as an image of a plausible size whose pixels vary (something was drawn).</summary>
    public static void NotBlank(string path)
    {
        using var bitmap = SKBitmap.Decode(path);
        Assert.True(bitmap is not null, $"{path}: not a decodable image");
        Assert.True(bitmap.Width >= 300 && bitmap.Height >= 200, $"{path}: {bitmap.Width}×{bitmap.Height}");
        var gray = bitmap.Pixels.Select(p => (p.Red + p.Green + p.Blue) / 3.0).ToArray();
        double mean = gray.Average(), variance = gray.Average(g => (g - mean) * (g - mean));
        Assert.True(variance > 100, $"{path}: pixel variance {variance:F1}, blank");
    }
}
