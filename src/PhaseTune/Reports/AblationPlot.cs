using System.Text.Json.Nodes;
using ScottPlot;

namespace PhaseTune.Reports;

/// <summary>An ablation's variants as bars: mean test (or dev) accuracy with ±1 sd over seeds as error bars, in
/// DIR/plots/variants.png.</summary>
public static class AblationPlot
{
    public static string Write(string outDir, JsonObject report)
    {
        var summary = report["summary"]!.AsObject();
        var plot = new Plot();
        var names = summary.Select(kv => kv.Key).ToArray();
        var bars = names.Select((v, i) => new Bar
        {
            Position = i, Value = summary[v]!["accuracy"]!["mean"]!.GetValue<double>() * 100,
            Error = summary[v]!["accuracy"]!["sd"]!.GetValue<double>() * 100,
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(names.Select((_, i) => (double)i).ToArray(), names);
        double low = bars.Min(b => b.Value - b.Error), high = bars.Max(b => b.Value + b.Error);
        plot.Axes.SetLimitsY(Math.Max(0, low - (high - low) * 0.5 - 1), Math.Min(100, high + (high - low) * 0.2 + 1));
        string split = report["variants"]!.AsObject().First().Value!.AsObject().First().Value!["split"]!.GetValue<string>();
        plot.Title($"{split} accuracy per variant, mean ± sd over seeds {string.Join(", ", report["seeds"]!.AsArray())}");
        plot.YLabel("accuracy (%)");
        return RunPlots.SavePng(plot, Path.Combine(outDir, RunPlots.Folder, "variants.png"), Math.Max(480, 90 * names.Length), 400);
    }
}
